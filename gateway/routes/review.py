"""报送与审核 (issue 3) routes — placeholder until that issue lands."""


class ReviewRoutes:
    pass
