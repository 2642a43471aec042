from django.http import HttpRequest


def preferred_script(request: HttpRequest) -> str:
    """The script the signed-in user prefers for names (Latin until they choose)."""
    return str(getattr(request.user, "preferred_script", "latn"))
