"""资料袋 (issue 5) routes — placeholder until that issue lands."""


class LibraryRoutes:
    pass
