package handlers

// TaskAPI is what the tasks feature asks of the TwelveLabs API.
type TaskAPI interface{}
