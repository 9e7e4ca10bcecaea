package handlers

// VideoAPI is what the videos feature asks of the TwelveLabs API.
type VideoAPI interface{}
