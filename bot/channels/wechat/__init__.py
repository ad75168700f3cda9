"""The WeChat service account (服务号) channel."""
