"""kaniko-lsp: finds Dockerfile changes that kaniko leaves out of images built in Jenkins pods."""

__version__ = "0.1.0"
