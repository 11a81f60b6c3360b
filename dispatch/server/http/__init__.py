"""The HTTP face of the service: app, middleware, problems, request dependencies, routes."""
