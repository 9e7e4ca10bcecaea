package handlers

// IndexAPI is what the indexes feature asks of the TwelveLabs API.
type IndexAPI interface{}
