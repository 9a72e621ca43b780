"""The FastAPI application factory. Heavy frameworks are imported only by the routes that need them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from agents.llm.factory import create_gateway
from agents.llm.gateway import Gateway
from agents.settings import Settings, get_settings
from server.errors import install_error_handlers
from server.routes import concepts, health, search
from server.routes.dashboard import router as dashboard_router
from server.security import install_security
from server.version import VERSION
from server.warmup import ReadinessGate, deferred_api


def create_app(
    settings: Settings | None = None, gateway: Gateway | None = None, *, settle_heap: bool = False
) -> FastAPI:
    """Build the app; tests pass their own settings and gateway (e.g. a scripted one).

    `settle_heap` (set by `thinkroom serve`, the process that owns its heap) freezes what start-up
    made once warm-up is done; see `server.warmup.settle_heap`.
    """
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.ready = asyncio.Event()
        app.state.startup_error = None
        app.state.gateway = gateway or await create_gateway(settings)
        async with deferred_api(app, settings):
            yield
        await app.state.gateway.close()

    app = FastAPI(
        title="thinkroom",
        version=VERSION,
        description="Self-hosted multi-agent service for learning and applying generative AI.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.settle_heap = settle_heap
    install_error_handlers(app)
    install_security(app, settings)
    app.include_router(health.router)
    app.include_router(concepts.router)
    app.include_router(search.router)
    app.include_router(dashboard_router)
    app.add_middleware(ReadinessGate, fastapi_app=app)  # the runs, OpenAI and model routes mount on warm-up
    return app
