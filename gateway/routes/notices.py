"""通知与回执 (issue 6) routes — placeholder until that issue lands."""


class NoticeRoutes:
    pass
