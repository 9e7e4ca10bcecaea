package templates

import "glimpse/static"

// Asset is the URL of an embedded static file: /static/<version>/<name>,
// where the version is a content hash of the embedded files, so assets are
// cached for a year and a new build still loads its own.
func Asset(name string) string { return static.URL(name) }
