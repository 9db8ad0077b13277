"""The HTTP layer: routes, problem rendering, pagination."""
