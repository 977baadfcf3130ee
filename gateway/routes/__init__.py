"""HTTP routes, one mixin per area; ``gateway.service.GatewayService`` composes them.

Each route: authenticate (``self.auth.actor(request, *roles)``), read input
(``read_json``), call a service over RPC with the actor first, return ``json_response``.
Errors are raised, never caught here: ``gateway.entrypoints`` maps them.
"""
