from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS, BasePermission

from concord.core.scope import ADD, CHANGE, DELETE, VIEW, can

_ACTION = {"POST": ADD, "PUT": CHANGE, "PATCH": CHANGE, "DELETE": DELETE}


class ScopedPermission(BasePermission):
    """Signed in, and holding a role that may perform the method's action on the view's model.
    Row-level scope is applied by the viewset's queryset (out of scope is 404). A role that may see
    the model but never write it gets 403 for writes, whatever the row."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        model = getattr(getattr(view, "queryset", None), "model", None)
        if model is None or not hasattr(model, "scope"):
            return True
        if not can(request.user, model, VIEW):
            # Like the pages: a kind of record the user cannot see at all does not exist for them.
            raise NotFound
        if request.method in SAFE_METHODS:
            return True
        return can(request.user, model, _ACTION.get(request.method, CHANGE))
