"""Setup guides for the MCP `get_provider_setup_guide` tool: five built-ins, a generic guide otherwise.

The keys and names are the old tool's (api-contract 2.16: anthropic, openai, google, aws, groq); the steps
are written for AgentPod, where a key is entered once in Settings → Providers and reaches every sandbox.
"""

SAVE_IN_AGENTPOD = "In AgentPod, open Settings → Providers, choose the provider and paste the key"
KEEP_IT_SECRET = "Keep the key out of repositories and chat messages: AgentPod stores it encrypted"

GUIDES = {
    "anthropic": {
        "provider": "anthropic",
        "name": "Anthropic (Claude)",
        "steps": [
            "Sign in to the Anthropic Console at https://console.anthropic.com",
            "Add a payment method or credits under Billing; keys without credit are refused",
            "Open API Keys and create a key for AgentPod",
            "Copy the key now: the console shows it only once",
            SAVE_IN_AGENTPOD,
            KEEP_IT_SECRET,
        ],
        "links": [{"title": "Anthropic Console", "url": "https://console.anthropic.com"},
                  {"title": "Anthropic documentation", "url": "https://docs.anthropic.com"}],
    },
    "openai": {
        "provider": "openai",
        "name": "OpenAI (GPT-4)",
        "steps": [
            "Sign in to the OpenAI platform at https://platform.openai.com",
            "Check that the organisation has billing set up or credits left",
            "Open API keys and create a secret key (a project key is enough)",
            "Copy the key now: it is shown only once",
            SAVE_IN_AGENTPOD,
            KEEP_IT_SECRET,
        ],
        "links": [{"title": "OpenAI platform", "url": "https://platform.openai.com"},
                  {"title": "OpenAI API documentation", "url": "https://platform.openai.com/docs"}],
    },
    "google": {
        "provider": "google",
        "name": "Google (Gemini)",
        "steps": [
            "Sign in to Google AI Studio at https://aistudio.google.com with a Google account",
            "Choose Get API key and create a key, in a new or an existing Google Cloud project",
            "Copy the key",
            SAVE_IN_AGENTPOD,
            KEEP_IT_SECRET,
        ],
        "links": [{"title": "Google AI Studio", "url": "https://aistudio.google.com"},
                  {"title": "Gemini API documentation", "url": "https://ai.google.dev/docs"}],
    },
    "aws": {
        "provider": "aws",
        "name": "AWS Bedrock",
        "steps": [
            "In the AWS console, open Amazon Bedrock in the region you want to use",
            "Under Model access, request access to the models you need and wait for approval",
            "Create an IAM user or role allowed to invoke Bedrock models (bedrock:InvokeModel*)",
            "Create an access key for it and note the key id, the secret and the region",
            "In AgentPod, open Settings → Providers, choose Amazon Bedrock and enter them",
            KEEP_IT_SECRET,
        ],
        "links": [{"title": "Amazon Bedrock", "url": "https://aws.amazon.com/bedrock"},
                  {"title": "Bedrock documentation", "url": "https://docs.aws.amazon.com/bedrock"}],
    },
    "groq": {
        "provider": "groq",
        "name": "Groq",
        "steps": [
            "Sign in to the Groq console at https://console.groq.com",
            "Open API Keys and create a key",
            "Copy the key now: it is shown only once",
            SAVE_IN_AGENTPOD,
            KEEP_IT_SECRET,
        ],
        "links": [{"title": "Groq console", "url": "https://console.groq.com"},
                  {"title": "Groq documentation", "url": "https://console.groq.com/docs"}],
    },
}


def provider_guide(provider: str) -> dict:
    """The guide for `provider` (case-insensitive), or a generic one naming it."""
    guide = GUIDES.get(provider.strip().lower())
    if guide is not None:
        return guide
    return {"provider": provider, "name": provider, "steps": [
        "Open the provider's website and sign in, or create an account",
        "Find its API keys page (often under settings, developer or API access)",
        "Create a key and copy it",
        SAVE_IN_AGENTPOD,
        KEEP_IT_SECRET,
    ], "links": []}
