package emulator

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
)

// secureSignature answers the secure call convention: app.info and
// profile called with state=… get a signature
// base64(json) "." base64(hmac_sha256(base64(json))) keyed with
// md5(member_id . client_secret); the JSON holds the answer's security
// fields and the state.
func (p *Portal) secureSignature(method, state string, res any) string {
	if state == "" || (method != "app.info" && method != "profile") {
		return ""
	}
	o, ok := res.(*obj)
	if !ok {
		return ""
	}
	payload := newObj()
	fields := o.keys
	if method == "profile" {
		fields = []string{"ID", "NAME", "LAST_NAME"}
	}
	for _, k := range fields {
		if v, ok := o.get(k); ok {
			payload.set(k, v)
		}
	}
	payload.set("state", state)
	data, err := json.Marshal(payload)
	if err != nil {
		return ""
	}
	sum := md5.Sum([]byte(p.cfg.MemberID + p.cfg.ClientSecret))
	key := hex.EncodeToString(sum[:])
	body := base64.StdEncoding.EncodeToString(data)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(body))
	return body + "." + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// RenameDomain moves the portal: from now on every REST request answers
// 302 with Location on newBase (scheme://host), as an old domain does.
func (p *Portal) RenameDomain(newBase string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.movedTo = newBase
}
