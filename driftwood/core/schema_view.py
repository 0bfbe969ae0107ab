"""`/api/schema/`: the OpenAPI document, generated once per process and language.

drf-spectacular walks every view and serializer on each request (about a second of CPU on a quiet
machine, four under load: long enough for the docs page to time out). The document depends only
on the code, the API version and the language its descriptions are in (it is served public, the
same to every caller), so each process keeps what it generated under those two keys.
"""

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response


class OpenApiSchemaView(SpectacularAPIView):
    _documents: dict[tuple[str | None, str | None], dict] = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (translation.get_language(), version)
        document = self._documents.get(key)
        if document is None:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
            document = self._documents[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(
            data=document,
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )
