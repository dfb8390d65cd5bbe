from . import navigation

# Fragments rendered with the request (the 360 panels, htmx partials) run the context processors
# again; each value is computed once per request and kept on it.


def _once(request, name, compute):
    if not hasattr(request, name):
        setattr(request, name, compute())
    return getattr(request, name)


def navigation_menu(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menu": []}
    return {"nav_menu": _once(request, "_concord_nav_menu", lambda: navigation.menu_for(user))}


def notifications(request):
    from .notify import unread_count

    user = getattr(request, "user", None)
    return {"unread_notifications": _once(request, "_concord_unread",
                                          lambda: unread_count(user) if user is not None else 0)}
