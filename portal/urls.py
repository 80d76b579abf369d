from csp.decorators import csp
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.decorators.clickjacking import xframe_options_sameorigin
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.utils.urlpatterns import decorate_urlpatterns

from forms import urls as forms_urls
from portal import views

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"


def admin_view(view):
    """Wagtail's admin gets its own, looser policy (it relies on inline styles and scripts we do
    not control), and may frame its own pages (the page editor's preview); public pages never."""
    return xframe_options_sameorigin(csp(settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"])(view))


urlpatterns = [
    path("admin/", include(decorate_urlpatterns(wagtailadmin_urls.urlpatterns, admin_view))),
    path("documents/", include(wagtaildocs_urls)),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # Liveness and readiness for the load balancer or the orchestrator (docs/deploy.md).
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("", include("services.urls")),
    path("", include(forms_urls.file_urlpatterns)),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Public pages: French without prefix, the other languages under /en/, /ar/, /pt/, /tr/.
urlpatterns += i18n_patterns(
    path("recherche/", views.site_search, name="site_search"),
    path("plan-du-site/", views.site_map, name="site_map"),
    path("", include(forms_urls.urlpatterns)),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
