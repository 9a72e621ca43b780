"""Model backends behind the gateway: ollama, embedded (llama.cpp) and scripted (tests)."""
