"""API tokens (django-rest-knox) and the sign-in client address.

A token is stored only as a hash, lives ``API_TOKEN_HOURS`` (settings), and is revoked when its
owner's password changes, when the account is deactivated, and when the owner revokes it
(``POST /api/auth/logout/``, ``/api/auth/logoutall/``, or the account page). Why knox and not DRF's
authtoken: docs/architecture.md.
"""
import ipaddress

from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone


def revoke_tokens(user) -> int:
    """Delete every API token of ``user``; returns how many there were."""
    from knox.models import AuthToken

    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


def active_tokens(user):
    from django.db.models import Q
    from knox.models import AuthToken

    return AuthToken.objects.filter(user=user).filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))


def prune_expired(user) -> None:
    from knox.models import AuthToken

    AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="concord-token-credentials-changed")
def _note_credential_change(sender, instance, update_fields=None, raw=False, **kwargs):
    # Compare with the stored row: set_password() and a form's is_active both end in save().
    instance._concord_revoke_tokens = False
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login on every sign-in: no extra query
    stored = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if stored and (stored["password"] != instance.password or (stored["is_active"] and not instance.is_active)):
        instance._concord_revoke_tokens = True


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="concord-token-revoke")
def _revoke_on_credential_change(sender, instance, created=False, **kwargs):
    if not created and getattr(instance, "_concord_revoke_tokens", False):
        revoke_tokens(instance)
        instance._concord_revoke_tokens = False


def _networks(entries):
    nets = []
    for entry in entries:
        entry = entry.strip()
        if entry:
            nets.append(ipaddress.ip_network(entry, strict=False))
    return nets


def _parse(value):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_ip(request) -> str:
    """The address the lockout (django-axes, ``AXES_CLIENT_IP_CALLABLE``) counts failures for.

    ``X-Forwarded-For`` is read only when the request comes from a trusted proxy (``TRUSTED_PROXIES``):
    from the right, the first entry that is not itself a trusted proxy is the client (nginx's
    ``$proxy_add_x_forwarded_for`` appends the address it saw, so anything a client typed stays to
    the left and is never reached). From any other peer the header is ignored. django-ipware's
    trusted-proxy check looks only at the header's own entries, never at the peer that sent it,
    which is why this is not delegated to it.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = _networks(getattr(settings, "TRUSTED_PROXIES", []))
    peer = _parse(remote)
    if peer is None or not any(peer in net for net in trusted):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            return remote  # a malformed entry our proxy appended would be a misconfiguration: do not guess
        if not any(address in net for net in trusted):
            return str(address)
    return remote


def locked_out(username: str) -> bool:
    """Whether ``username`` has reached the failure limit from some address (the lockout is per
    username and address, so the same person elsewhere may still sign in)."""
    from axes.models import AccessAttempt

    return AccessAttempt.objects.filter(username=username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT).exists()


def unlock(username: str) -> int:
    """Clears every failed-attempt record of ``username`` (what ``manage.py axes_reset_username`` does)."""
    from axes.utils import reset

    return reset(username=username)
