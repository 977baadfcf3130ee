"""期限与预警 (issue 4) routes — placeholder until that issue lands."""


class DeadlineRoutes:
    pass
