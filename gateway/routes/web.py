"""The web client (网页端): static single-page app served by the gateway — placeholder."""


class WebRoutes:
    pass
