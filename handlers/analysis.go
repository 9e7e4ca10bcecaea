package handlers

// AnalysisAPI is what the analysis feature asks of the TwelveLabs API.
type AnalysisAPI interface{}
