package bitrix

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Connector is an imconnector.register request (an Open Lines channel of the app).
type Connector struct {
	ID                 string         `json:"ID"` // [a-z0-9_], no dots; lower-cased by the portal
	Name               string         `json:"NAME"`
	Icon               ConnectorIcon  `json:"ICON"`
	IconDisabled       *ConnectorIcon `json:"ICON_DISABLED,omitempty"`
	PlacementHandler   string         `json:"PLACEMENT_HANDLER"` // settings page (SETTING_CONNECTOR)
	ChatGroup          string         `json:"CHAT_GROUP,omitempty"`
	NeedSystemMessages string         `json:"NEED_SYSTEM_MESSAGES,omitempty"`
	NeedSignature      string         `json:"NEED_SIGNATURE,omitempty"`
}

// ConnectorIcon is a connector's icon.
type ConnectorIcon struct {
	DataImage string `json:"DATA_IMAGE"` // "data:image/svg+xml;charset=US-ASCII,…"
	Color     string `json:"COLOR,omitempty"`
	Size      string `json:"SIZE,omitempty"`
	Position  string `json:"POSITION,omitempty"`
}

// RegisterConnector registers (or updates) a connector (imconnector.register). Failures the
// portal reports inside a 200 answer ({"result":{"result":false,"error":…}}) become *Error.
func (p *PortalClient) RegisterConnector(ctx context.Context, c Connector) error {
	var raw json.RawMessage
	if err := p.Call(ctx, "imconnector.register", c, &raw); err != nil {
		return err
	}
	return nestedResult("imconnector.register", raw)
}

// nestedResult checks a result that is true, or {"result":true}, or {"result":false,"error":…}.
func nestedResult(method string, raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		var ok FlexBool
		if json.Unmarshal(raw, &ok) == nil && !ok && string(raw) != "null" {
			return &Error{HTTPStatus: 200, Description: "result is false", Method: method}
		}
		return nil
	}
	var r struct {
		Result           *FlexBool  `json:"result"`
		Error            FlexString `json:"error"`
		ErrorDescription FlexString `json:"error_description"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("bitrix: %s: decode result: %w", method, err)
	}
	if r.Error != "" || (r.Result != nil && !*r.Result) {
		return &Error{HTTPStatus: 200, Code: string(r.Error), Description: string(r.ErrorDescription), Method: method}
	}
	return nil
}

// ActivateConnector turns a connector on or off for an Open Line (imconnector.activate).
func (p *PortalClient) ActivateConnector(ctx context.Context, connector string, line int64, active bool) error {
	on := 0
	if active {
		on = 1
	}
	return p.Call(ctx, "imconnector.activate", Params{"CONNECTOR": connector, "LINE": line, "ACTIVE": on}, nil)
}

// ConnectorData describes the connected channel (imconnector.connector.data.set).
type ConnectorData struct {
	ID    string `json:"ID,omitempty"`
	URL   string `json:"URL,omitempty"`
	URLIM string `json:"URL_IM,omitempty"`
	Name  string `json:"NAME,omitempty"`
}

// SetConnectorData sets the channel's description shown in Open Lines (overwrites it whole).
func (p *PortalClient) SetConnectorData(ctx context.Context, connector string, line int64, d ConnectorData) error {
	return p.Call(ctx, "imconnector.connector.data.set", Params{"CONNECTOR": connector, "LINE": line, "DATA": d}, nil)
}

// ConnectorStatus is imconnector.status's answer.
type ConnectorStatus struct {
	Line       FlexInt  `json:"LINE"`
	Connector  string   `json:"CONNECTOR"`
	Error      FlexBool `json:"ERROR"`
	Configured FlexBool `json:"CONFIGURED"`
	Status     FlexBool `json:"STATUS"`
}

// ConnectorStatus returns a connector's state on an Open Line (imconnector.status).
func (p *PortalClient) ConnectorStatus(ctx context.Context, connector string, line int64) (*ConnectorStatus, error) {
	var s ConnectorStatus
	if err := p.Call(ctx, "imconnector.status", Params{"CONNECTOR": connector, "LINE": line}, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// ConnectorMessage is one message between the external channel and Open Lines, in the wire
// shape of imconnector.send.messages / update.messages / delete.messages.
type ConnectorMessage struct {
	User    *ConnectorUser       `json:"user,omitempty"`
	Message ConnectorMessageBody `json:"message"`
	Chat    ConnectorChat        `json:"chat"`
}

// ConnectorUser is the external client.
type ConnectorUser struct {
	ID                string            `json:"id"` // stable external id, e.g. "wa-79991234567"
	Name              string            `json:"name,omitempty"`
	LastName          string            `json:"last_name,omitempty"`
	Phone             string            `json:"phone,omitempty"`
	Email             string            `json:"email,omitempty"`
	Picture           *ConnectorPicture `json:"picture,omitempty"`
	URL               string            `json:"url,omitempty"`
	Gender            string            `json:"gender,omitempty"`
	SkipPhoneValidate string            `json:"skip_phone_validate,omitempty"` // "Y"
}

// ConnectorPicture is a client's avatar URL.
type ConnectorPicture struct {
	URL string `json:"url"`
}

// ConnectorMessageBody is the message part: text and/or files by public URL.
type ConnectorMessageBody struct {
	ID         string          `json:"id"`
	Date       int64           `json:"date,omitempty"` // unix seconds
	Text       string          `json:"text,omitempty"`
	Files      []ConnectorFile `json:"files,omitempty"`
	DisableCRM string          `json:"disable_crm,omitempty"` // "Y": no Open Lines CRM tracker
	UserID     int64           `json:"user_id,omitempty"`     // send as this Bitrix user
}

// ConnectorFile is a publicly fetchable file.
type ConnectorFile struct {
	URL  string `json:"url"`
	Name string `json:"name,omitempty"`
}

// ConnectorChat is the external conversation.
type ConnectorChat struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	URL  string `json:"url,omitempty"`
}

// ConnectorResult is the per-message outcome of send/update/delete.messages.
type ConnectorResult struct {
	Success FlexBool      `json:"SUCCESS"`
	Errors  FlexList[any] `json:"ERRORS"`
	User    FlexString    `json:"user"`
	Message struct {
		ID FlexString `json:"id"`
	} `json:"message"`
	Chat struct {
		ID FlexString `json:"id"`
	} `json:"chat"`
	Session struct {
		ID     FlexInt `json:"ID"`
		ChatID FlexInt `json:"CHAT_ID"` // the Bitrix Open Line chat
	} `json:"session"`
}

// SendConnectorMessages delivers client messages into Open Lines (imconnector.send.messages).
// Per-message failures are in the results (Success false, Errors).
func (p *PortalClient) SendConnectorMessages(ctx context.Context, connector string, line int64, msgs []ConnectorMessage) ([]ConnectorResult, error) {
	return p.connectorMessages(ctx, "imconnector.send.messages", connector, line, msgs)
}

// UpdateConnectorMessages edits delivered client messages (imconnector.update.messages).
func (p *PortalClient) UpdateConnectorMessages(ctx context.Context, connector string, line int64, msgs []ConnectorMessage) ([]ConnectorResult, error) {
	return p.connectorMessages(ctx, "imconnector.update.messages", connector, line, msgs)
}

// DeleteConnectorMessages deletes delivered client messages (imconnector.delete.messages).
func (p *PortalClient) DeleteConnectorMessages(ctx context.Context, connector string, line int64, msgs []ConnectorMessage) ([]ConnectorResult, error) {
	return p.connectorMessages(ctx, "imconnector.delete.messages", connector, line, msgs)
}

func (p *PortalClient) connectorMessages(ctx context.Context, method, connector string, line int64, msgs []ConnectorMessage) ([]ConnectorResult, error) {
	var out struct {
		Success *FlexBool `json:"SUCCESS"`
		Data    struct {
			Result FlexList[ConnectorResult] `json:"RESULT"`
		} `json:"DATA"`
		Error            FlexString `json:"error"`
		ErrorDescription FlexString `json:"error_description"`
	}
	if err := p.Call(ctx, method, Params{"CONNECTOR": connector, "LINE": line, "MESSAGES": msgs}, &out); err != nil {
		return nil, err
	}
	if out.Success != nil && !*out.Success && len(out.Data.Result) == 0 {
		return nil, &Error{HTTPStatus: 200, Code: string(out.Error), Description: string(out.ErrorDescription), Method: method}
	}
	return out.Data.Result, nil
}

// DeliveryStatus reports an operator message as delivered to the client.
type DeliveryStatus struct {
	ChatID         int64     // im.chat_id from OnImConnectorMessageAdd
	MessageID      int64     // im.message_id from OnImConnectorMessageAdd
	ExternalIDs    []string  // the channel's ids of the delivered message
	ExternalChatID string    // chat.id
	Date           time.Time // when it was delivered
}

// MarshalJSON writes the wire shape (message.id is a list even for one id).
func (d DeliveryStatus) MarshalJSON() ([]byte, error) {
	type im struct {
		ChatID    int64 `json:"chat_id"`
		MessageID int64 `json:"message_id"`
	}
	type msg struct {
		ID   []string `json:"id"`
		Date int64    `json:"date,omitempty"`
	}
	ids := d.ExternalIDs
	if ids == nil {
		ids = []string{}
	}
	var date int64
	if !d.Date.IsZero() {
		date = d.Date.Unix()
	}
	return json.Marshal(struct {
		IM      im            `json:"im"`
		Message msg           `json:"message"`
		Chat    ConnectorChat `json:"chat"`
	}{im{d.ChatID, d.MessageID}, msg{ids, date}, ConnectorChat{ID: d.ExternalChatID}})
}

// SendDeliveryStatus marks operator messages delivered (imconnector.send.status.delivery);
// without it Open Lines shows them undelivered.
func (p *PortalClient) SendDeliveryStatus(ctx context.Context, connector string, line int64, statuses []DeliveryStatus) error {
	return p.Call(ctx, "imconnector.send.status.delivery", Params{"CONNECTOR": connector, "LINE": line, "MESSAGES": statuses}, nil)
}

// OperatorMessage is one message of an ONIMCONNECTORMESSAGEADD event (operator → client).
type OperatorMessage struct {
	IM struct {
		ChatID    FlexInt `json:"chat_id"`
		MessageID FlexInt `json:"message_id"`
	} `json:"im"`
	Message struct {
		ID     FlexString             `json:"id"`
		UserID FlexInt                `json:"user_id"`
		Text   string                 `json:"text"` // BB-codes, maybe with the operator's signature
		Files  FlexList[OperatorFile] `json:"files"`
	} `json:"message"`
	Chat struct {
		ID string `json:"id"`
	} `json:"chat"`
}

// OperatorFile is an operator's attachment.
type OperatorFile struct {
	Name         string  `json:"name"`
	Link         string  `json:"link"`
	DownloadLink string  `json:"downloadLink"`
	Type         string  `json:"type"`
	Size         FlexInt `json:"size"`
}

// ConnectorEvent is a decoded ONIMCONNECTORMESSAGEADD/UPDATE/DELETE delivery.
type ConnectorEvent struct {
	Connector string                    `json:"CONNECTOR"`
	Line      FlexInt                   `json:"LINE"`
	Messages  FlexList[OperatorMessage] `json:"MESSAGES"`
}

// ParseConnectorEvent decodes an OnImConnectorMessage* event's data.
func ParseConnectorEvent(ev *Event) (*ConnectorEvent, error) {
	var out ConnectorEvent
	if err := ev.Data.Decode(&out); err != nil {
		return nil, err
	}
	if out.Connector == "" {
		return nil, fmt.Errorf("%w: %s without data[CONNECTOR]", ErrBadEvent, ev.Name)
	}
	return &out, nil
}

// OpenLine is an Open Line's configuration as imopenlines.config.list.get returns it.
type OpenLine struct {
	ID       FlexInt           `json:"ID"`
	LineName string            `json:"LINE_NAME"`
	Active   FlexBool          `json:"ACTIVE"`
	Queue    FlexList[FlexInt] `json:"QUEUE"`
}

// OpenLines lists the portal's Open Lines with their operator queues (imopenlines.config.list.get).
func (p *PortalClient) OpenLines(ctx context.Context) ([]OpenLine, error) {
	var out FlexList[OpenLine]
	err := p.Call(ctx, "imopenlines.config.list.get", Params{
		"PARAMS":  Params{"select": []string{"ID", "LINE_NAME", "ACTIVE"}, "order": Params{"ID": "ASC"}, "limit": 200},
		"OPTIONS": Params{"QUEUE": "Y"},
	}, &out)
	if err != nil {
		return nil, err
	}
	return out, nil
}
