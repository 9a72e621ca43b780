"""Keep every framework offline: telemetry, tracing and hub downloads are switched off.

This runs when `agents` is first imported, before CrewAI, AutoGen, LangChain, chromadb
or litellm can read their environment, so nothing phones home at run time.
"""

from __future__ import annotations

import os

TELEMETRY_OFF: dict[str, str] = {
    "CREWAI_DISABLE_TELEMETRY": "true",
    "CREWAI_DISABLE_TRACKING": "true",
    "CREWAI_TRACING_ENABLED": "false",
    "OTEL_SDK_DISABLED": "true",
    "OTEL_TRACES_EXPORTER": "none",
    "OTEL_METRICS_EXPORTER": "none",
    "OTEL_LOGS_EXPORTER": "none",
    "ANONYMIZED_TELEMETRY": "False",
    "DO_NOT_TRACK": "1",
    "LITELLM_TELEMETRY": "False",
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "LANGCHAIN_TRACING_V2": "false",
    "LANGSMITH_TRACING": "false",
    "LANGCHAIN_TRACING": "false",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "AUTOGEN_TELEMETRY": "false",
    "POSTHOG_DISABLED": "1",
}


def disable_telemetry() -> dict[str, str]:
    """Force every known telemetry switch off; returns what was set."""
    for key, value in TELEMETRY_OFF.items():
        os.environ[key] = value
    return dict(TELEMETRY_OFF)


disable_telemetry()
