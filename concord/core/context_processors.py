from . import navigation


def navigation_menu(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menu": []}
    return {"nav_menu": navigation.menu_for(user)}



def notifications(request):
    from .notify import unread_count

    user = getattr(request, "user", None)
    return {"unread_notifications": unread_count(user) if user is not None else 0}
