package halosandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
)

// oauthError is the body of a failed token request.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// token answers POST /auth/token: the client_credentials grant, credentials in the form or in
// Basic auth, tenant in the query string or the form.
func (s *Server) token(r *http.Request) *reply {
	if r.Method != http.MethodPost {
		rp := textReply(http.StatusMethodNotAllowed, "")
		rp.header.Set("Allow", http.MethodPost)
		return rp
	}
	if err := r.ParseForm(); err != nil {
		return jsonReply(http.StatusBadRequest, oauthError{"invalid_request", "the request body is not a valid form"})
	}
	if t := r.Form.Get("tenant"); t != "" && !strings.EqualFold(t, s.opts.Tenant) {
		return textReply(http.StatusInternalServerError, "An error occurred while processing your request.")
	}
	if gt := r.Form.Get("grant_type"); gt != "client_credentials" {
		return jsonReply(http.StatusBadRequest, oauthError{"unsupported_grant_type", "grant_type must be client_credentials"})
	}
	id, secret := r.Form.Get("client_id"), r.Form.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		id, secret = u, p
	}
	if !same(id, s.opts.ClientID) || !same(secret, s.opts.ClientSecret) {
		return jsonReply(http.StatusUnauthorized, oauthError{"invalid_client", "The client credentials are invalid"})
	}
	return s.issue(scopeOf(r.Form.Get("scope")))
}

// same compares two secrets in constant time.
func same(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// scopeOf defaults an empty scope to "all".
func scopeOf(scope string) string {
	if strings.TrimSpace(scope) == "" {
		return "all"
	}
	return scope
}

// issue creates an access token and answers with it.
func (s *Server) issue(scope string) *reply {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return textReply(http.StatusInternalServerError, "generating token: "+err.Error())
	}
	tok := hex.EncodeToString(b[:])
	s.mu.Lock()
	now := s.now()
	for k, t := range s.st.Tokens {
		if !now.Before(t.Expires) {
			delete(s.st.Tokens, k)
		}
	}
	s.st.Tokens[tok] = token{Expires: now.Add(s.opts.TokenTTL), Scope: scope}
	s.mu.Unlock()
	return jsonReply(http.StatusOK, map[string]any{
		"token_type":   "Bearer",
		"expires_in":   int(s.opts.TokenTTL.Seconds()),
		"access_token": tok,
		"scope":        scope,
	})
}

// authorized reports whether r carries a live Bearer token.
func (s *Server) authorized(r *http.Request) bool {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.st.Tokens[strings.TrimSpace(tok)]
	return ok && s.now().Before(t.Expires)
}

// unauthorized is the resource server's 401.
func unauthorized() *reply {
	rp := textReply(http.StatusUnauthorized, "")
	rp.header.Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	return rp
}

// authInfo answers GET /api/authinfo: where to get a token, and for which tenant.
func (s *Server) authInfo(r *http.Request) *reply {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return jsonReply(http.StatusOK, map[string]string{
		"auth_url":  scheme + "://" + r.Host + "/auth",
		"tenant_id": s.opts.Tenant,
	})
}
