"""A models.dev answer (the raw shape of https://models.dev/api.json) and what the API makes of it.

The same eight providers as the synthetic fixture behind reference-responses 49-61, so the expected
bodies below are the recorded ones (plus the keys DECISIONS 22 makes explicit nulls).
"""


def model(name, context, output, cost_in, cost_out, *, inputs=("text", "image"), tools=True, **extra):
    return {"name": name, "attachment": False, "reasoning": False, "tool_call": tools,
            "temperature": True, "release_date": "2025-01-01", "last_updated": "2025-06-01",
            "modalities": {"input": list(inputs), "output": ["text"]}, "open_weights": False,
            "cost": {"input": cost_in, "output": cost_out, "cache_read": 0.1},
            "limit": {"context": context, "output": output}, **extra}


def provider(provider_id, name, env, models, **extra):
    return {"id": provider_id, "name": name, "env": env, "npm": f"@ai-sdk/{provider_id}",
            "doc": f"https://docs.example/{provider_id}", "models": models, **extra}


MODELS_DEV = {
    "anthropic": provider("anthropic", "Anthropic", ["ANTHROPIC_API_KEY"], {
        "claude-sonnet-4-5": model("Claude Sonnet 4.5", 200000, 64000, 3, 15),
        "claude-haiku-4-5": model("Claude Haiku 4.5", 200000, 64000, 1, 5),
    }),
    "openai": provider("openai", "OpenAI", ["OPENAI_API_KEY"], {
        "gpt-5": model("GPT-5", 400000, 128000, 1.25, 10),
        "gpt-4o-mini": model("GPT-4o mini", 128000, 16384, 0.15, 0.6),
    }),
    "google": provider("google", "Google", ["GOOGLE_GENERATIVE_AI_API_KEY", "GEMINI_API_KEY"], {
        "gemini-2.5-pro": model("Gemini 2.5 Pro", 1048576, 65536, 1.25, 10),
    }),
    "github-copilot": provider("github-copilot", "GitHub Copilot", ["GITHUB_TOKEN"], {
        "gpt-4.1": model("GPT-4.1", 128000, 16384, 0, 0),
    }),
    "openrouter": provider("openrouter", "OpenRouter", ["OPENROUTER_API_KEY"], {
        "anthropic/claude-sonnet-4.5": model("Claude Sonnet 4.5", 200000, 64000, 3, 15),
    }),
    "groq": provider("groq", "Groq", ["GROQ_API_KEY"], {
        "llama-3.3-70b-versatile": model("Llama 3.3 70B Versatile", 131072, 32768, 0.59, 0.79, inputs=("text",)),
    }),
    "opencode": provider("opencode", "OpenCode Zen", ["OPENCODE_API_KEY"], {
        "grok-code": model("Grok Code Fast 1", 256000, 256000, 0, 0, inputs=("text",)),
    }),
    "deepseek": provider("deepseek", "DeepSeek", ["DEEPSEEK_API_KEY"], {
        "deepseek-chat": model("DeepSeek Chat", 128000, 8192, 0.28, 0.42, inputs=("text",), tools=False),
    }),
}


def expected_model(model_id, name, context, max_output, cost_in, cost_out, *, image=True, tools=True):
    return {"id": model_id, "name": name, "context": context, "maxOutput": max_output,
            "pricing": {"input": cost_in, "output": cost_out},
            "capabilities": {"image": image, "video": False, "tools": tools, "streaming": True}}


def expected_provider(provider_id, name, env, models, *, auth_type="api_key", configured=False, default=False):
    return {"id": provider_id, "name": name, "authType": auth_type, "apiKeyEnvVar": env,
            "isConfigured": configured, "isDefault": default,
            "logoUrl": f"https://models.dev/logos/{provider_id}.svg", "models": models}


ANTHROPIC_MODELS = [
    expected_model("claude-sonnet-4-5", "Claude Sonnet 4.5", 200000, 64000, 3, 15),
    expected_model("claude-haiku-4-5", "Claude Haiku 4.5", 200000, 64000, 1, 5),
]


def expected_anthropic(**flags):
    return expected_provider("anthropic", "Anthropic", "ANTHROPIC_API_KEY", ANTHROPIC_MODELS, **flags)


def expected_popular(**flags_by_id):
    """reference-responses 49: the popular providers models.dev has, in models.dev order."""
    def flags(provider_id):
        return flags_by_id.get(provider_id.replace("-", "_"), {})

    return [
        expected_anthropic(**flags("anthropic")),
        expected_provider("openai", "OpenAI", "OPENAI_API_KEY", [
            expected_model("gpt-5", "GPT-5", 400000, 128000, 1.25, 10),
            expected_model("gpt-4o-mini", "GPT-4o mini", 128000, 16384, 0.15, 0.6),
        ], **flags("openai")),
        expected_provider("google", "Google", "GOOGLE_GENERATIVE_AI_API_KEY", [
            expected_model("gemini-2.5-pro", "Gemini 2.5 Pro", 1048576, 65536, 1.25, 10),
        ], **flags("google")),
        expected_provider("github-copilot", "GitHub Copilot", "GITHUB_TOKEN", [
            expected_model("gpt-4.1", "GPT-4.1", 128000, 16384, 0, 0),
        ], auth_type="device_flow", **flags("github-copilot")),
        expected_provider("openrouter", "OpenRouter", "OPENROUTER_API_KEY", [
            expected_model("anthropic/claude-sonnet-4.5", "Claude Sonnet 4.5", 200000, 64000, 3, 15),
        ], **flags("openrouter")),
        expected_provider("groq", "Groq", "GROQ_API_KEY", [
            expected_model("llama-3.3-70b-versatile", "Llama 3.3 70B Versatile", 131072, 32768, 0.59, 0.79,
                           image=False),
        ], **flags("groq")),
    ]


def expected_all(**flags_by_id):
    popular = expected_popular(**flags_by_id)
    return [*popular[:6],
            expected_provider("opencode", "OpenCode Zen", "OPENCODE_API_KEY", [
                expected_model("grok-code", "Grok Code Fast 1", 256000, 256000, 0, 0, image=False),
            ], auth_type="oauth", **flags_by_id.get("opencode", {})),
            expected_provider("deepseek", "DeepSeek", "DEEPSEEK_API_KEY", [
                expected_model("deepseek-chat", "DeepSeek Chat", 128000, 8192, 0.28, 0.42, image=False, tools=False),
            ], **flags_by_id.get("deepseek", {}))]


def big_catalogue(count: int) -> dict:
    """`count` extra providers on top of MODELS_DEV, for the constant-query tests."""
    extra = {f"extra-{n:03d}": provider(f"extra-{n:03d}", f"Extra {n}", [f"EXTRA_{n}_API_KEY"], {
        f"model-{n}": model(f"Model {n}", 8192, 4096, 1, 2)}) for n in range(count)}
    return {**MODELS_DEV, **extra}
