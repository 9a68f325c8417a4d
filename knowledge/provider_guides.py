"""Provider setup guides, written for AgentPod, where a key is entered once in Settings → Providers and
reaches every sandbox. Two shapes share the steps:

- `provider_guide`: the MCP `get_provider_setup_guide` tool's `{provider, name, steps, links}`, with the old
  tool's keys and names (api-contract 2.16: anthropic, openai, google, aws, groq);
- `onboarding_setup_guide`: `GET /api/onboarding/providers/setup/:id`'s `{name, steps, apiKeyUrl, envVar}`,
  with the old onboarding route's keys and names (2.15: anthropic, openai, google, groq, openrouter).
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


# -- the onboarding route's shape ------------------------------------------------------------------------

OPENROUTER_STEPS = [
    "Sign in to OpenRouter at https://openrouter.ai",
    "Add credits under Credits; free models work without them, with lower rate limits",
    "Open Keys and create a key for AgentPod (a credit limit per key is possible)",
    "Copy the key now: it is shown only once",
    SAVE_IN_AGENTPOD,
    KEEP_IT_SECRET,
]
# id → (name, where the key is made, the variable OpenCode's provider SDK reads, steps)
ONBOARDING_GUIDES = {
    "anthropic": ("Anthropic", "https://console.anthropic.com/settings/keys", "ANTHROPIC_API_KEY",
                  GUIDES["anthropic"]["steps"]),
    "openai": ("OpenAI", "https://platform.openai.com/api-keys", "OPENAI_API_KEY", GUIDES["openai"]["steps"]),
    "google": ("Google AI (Gemini)", "https://aistudio.google.com/app/apikey", "GOOGLE_GENERATIVE_AI_API_KEY",
               GUIDES["google"]["steps"]),
    "groq": ("Groq", "https://console.groq.com/keys", "GROQ_API_KEY", GUIDES["groq"]["steps"]),
    "openrouter": ("OpenRouter", "https://openrouter.ai/keys", "OPENROUTER_API_KEY", OPENROUTER_STEPS),
}


def onboarding_setup_guide(provider_id: str) -> dict:
    """`{name, steps, apiKeyUrl, envVar}` for `provider_id` (case-insensitive); any other id gets a generic
    three-step guide named by the id, no key URL, and `<ID>_API_KEY` (`-` as `_`)."""
    known = ONBOARDING_GUIDES.get(provider_id.strip().lower())
    if known is not None:
        name, url, env_var, steps = known
        return {"name": name, "steps": list(steps), "apiKeyUrl": url, "envVar": env_var}
    return {"name": provider_id, "steps": [
        f"Create an account with {provider_id} and make an API key on its website",
        SAVE_IN_AGENTPOD,
        KEEP_IT_SECRET,
    ], "apiKeyUrl": "", "envVar": f"{provider_id.upper().replace('-', '_')}_API_KEY"}
