package templates

// AssetVersion is part of every static URL, so that assets can be cached
// for a year and a new build still loads its own. The static package's
// handler serves /static/<version>/<name>.
const AssetVersion = "v1"

// Asset is the URL of an embedded static file.
func Asset(name string) string { return "/static/" + AssetVersion + "/" + name }
