# kefu app image (also used for the Celery worker and beat). The model runtime has its own GPU image
# in scaled mode (see docs/deployment.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    KEFU_DATA_DIR=/var/lib/kefu KEFU_HOST=0.0.0.0 KEFU_PORT=8000
WORKDIR /srv/kefu

RUN pip install "torch>=2.3,<3" --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY app ./app
COPY dialogue ./dialogue
COPY knowledge_graph ./knowledge_graph
COPY model_runtime ./model_runtime
COPY assistants ./assistants
COPY migrations ./migrations
COPY bench ./bench
RUN pip install . && useradd --system --home /var/lib/kefu kefu \
    && mkdir -p /var/lib/kefu && chown kefu /var/lib/kefu
USER kefu
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status==200 else 1)"
CMD ["kefu", "run"]
