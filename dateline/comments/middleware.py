"""Per-response CSP allowances for a page that embeds a third party (the Disqus
comments of a site that chose them). Listed after Django's CSP middleware, so it
sees the response first and sets the policy that middleware then writes."""

from django.conf import settings


class EmbedCSPMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        extra = getattr(request, "_dateline_extra_csp", None)
        if extra:
            policy = {key: list(value) for key, value in settings.SECURE_CSP.items()}
            default = policy.get("default-src", [])
            for directive, sources in extra.items():
                policy[directive] = [*policy.get(directive, default), *sources]
            response._csp_config = policy
        return response
