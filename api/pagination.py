from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Every list: ?page=N, 50 rows by default, ?page_size= up to 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
