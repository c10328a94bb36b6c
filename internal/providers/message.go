package providers

import "encoding/json"

// errorBody is the union of the five providers' error envelopes: Apollo {error} or {message}
// or {error_message}, ZoomInfo {error:{message}}, Hunter {errors:[{details}]}, Lusha
// {statusCode,message}, UpLead {error:{type,message}} or {error,status}.
type errorBody struct {
	Message      string          `json:"message"`
	ErrorMessage string          `json:"error_message"`
	Error        json.RawMessage `json:"error"`
	Errors       []struct {
		ID      string `json:"id"`
		Details string `json:"details"`
	} `json:"errors"`
}

// jsonMessage returns the first message an error body carries, or "" when it is not JSON.
func jsonMessage(body []byte) string {
	var eb errorBody
	if json.Unmarshal(body, &eb) != nil {
		return ""
	}
	for _, m := range []string{eb.Message, eb.ErrorMessage, nestedMessage(eb.Error)} {
		if m != "" {
			return m
		}
	}
	if len(eb.Errors) > 0 {
		if eb.Errors[0].Details != "" {
			return eb.Errors[0].Details
		}
		return eb.Errors[0].ID
	}
	return ""
}

// nestedMessage reads "error" as a string or as an object with a message.
func nestedMessage(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj struct {
		Message string `json:"message"`
		Type    string `json:"type"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		if obj.Message != "" {
			return obj.Message
		}
		return obj.Type
	}
	return ""
}
