"""The HTTP gateway: the suite's public RPCs as a small REST API (nameko ``@http``).

Routes: :mod:`services.gateway.routes` (one table; ``/openapi.json`` is generated from it).
Tokens: the YAML file named by ``$LIANBAO_GATEWAY_TOKENS`` (or config ``GATEWAY_TOKENS``), see
``infra/gateway-tokens.example.yml``.  Port: ``WEB_SERVER_ADDRESS`` (``$GATEWAY_ADDRESS``).
"""
from services.gateway.app import make_gateway
from services.gateway.routes import ROUTES

GatewayService = make_gateway(ROUTES)

Service = GatewayService
