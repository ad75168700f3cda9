"""WeChat service account (服务号): signed XML in, the customer-service API out."""
