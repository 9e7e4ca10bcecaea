package handlers

// SearchAPI is what the search feature asks of the TwelveLabs API.
type SearchAPI interface{}
