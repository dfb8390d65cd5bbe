from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    if settings.SECRET_KEY_FROM_ENV:
        return []
    return [Error("SECRET_KEY is not set in the environment.", hint="Set SECRET_KEY for production.", id="concord.E001")]
