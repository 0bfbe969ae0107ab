from django.urls import path


def api_path(route: str, view, *, name: str):
    """The contract makes the trailing slash optional: match both, never redirect a POST."""
    return [path(route, view, name=name), path(f"{route}/", view)]
