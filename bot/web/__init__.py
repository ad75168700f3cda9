"""Pages on the runtime's shared web server (server-rendered, Jinja2): the lesson page a WeChat
template message opens; the dashboard grows here."""
