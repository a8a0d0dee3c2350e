"""HTTP plumbing around the views: static files, security headers, the read cache, proxies."""
