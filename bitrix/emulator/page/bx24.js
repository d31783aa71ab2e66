/* BX24 shim of the Bitrix24 emulator: the subset of the real SDK an app
   page needs, talking to the portal page by postMessage as the real SDK
   does. The frame's name is "DOMAIN|PROTOCOL|APP_SID". */
(function () {
  if (window.BX24 && window.BX24.__emulator) return;
  var parts = (window.name || '').split('|');
  var DOMAIN = parts[0] || '', PROTOCOL = parts[1] || '0', APP_SID = parts[2] || '';
  var data = null, waiting = [], callbacks = {}, seq = 0, loadedAt = 0;

  function send(cmd, params, cb) {
    var id = '';
    if (cb) { id = 'cb' + (++seq); callbacks[id] = cb; }
    window.parent.postMessage(JSON.stringify({bx24emu: 1, cmd: cmd, params: params || {}, callback: id, appSid: APP_SID}), '*');
  }
  window.addEventListener('message', function (e) {
    if (e.source !== window.parent) return;
    var d; try { d = JSON.parse(e.data); } catch (x) { return; }
    if (!d || !d.bx24emu || !d.callback || !callbacks[d.callback]) return;
    var cb = callbacks[d.callback]; delete callbacks[d.callback]; cb(d.result);
  });
  function restURL(method) { return (PROTOCOL === '1' ? 'https://' : 'http://') + DOMAIN + '/rest/' + method + '.json'; }

  var BX24 = {
    __emulator: true,
    init: function (cb) {
      if (data) { if (cb) cb(); return; }
      waiting.push(cb);
      if (waiting.length > 1) return;
      if (window.parent === window) { return; }
      send('getInitData', {}, function (r) {
        data = r; loadedAt = Date.now();
        var list = waiting; waiting = [];
        list.forEach(function (f) { if (f) f(); });
      });
    },
    ready: function (cb) { BX24.init(cb); },
    isAdmin: function () { return !!(data && data.IS_ADMIN); },
    getLang: function () { return data ? data.LANG : 'en'; },
    getDomain: function () { return DOMAIN; },
    installFinish: function () { send('setInstallFinish', {}, function () {}); },
    fitWindow: function (cb) {
      send('resizeWindow', {width: '100%', height: document.documentElement.scrollHeight}, cb);
    },
    resizeWindow: function (width, height, cb) { send('resizeWindow', {width: width, height: height}, cb); },
    setTitle: function (title, cb) { send('setTitle', {title: title}, cb); },
    getScrollSize: function () { return {scrollWidth: document.documentElement.scrollWidth, scrollHeight: document.documentElement.scrollHeight}; },
    getAuth: function () {
      if (!data) return false;
      var left = data.AUTH_EXPIRES - Math.floor((Date.now() - loadedAt) / 1000);
      if (left <= 0) return false;
      return {access_token: data.AUTH_ID, refresh_token: data.REFRESH_ID, expires_in: left, domain: DOMAIN, member_id: data.MEMBER_ID};
    },
    refreshAuth: function (cb) {
      send('refreshAuth', {}, function (r) {
        data.AUTH_ID = r.AUTH_ID; data.REFRESH_ID = r.REFRESH_ID; data.AUTH_EXPIRES = r.AUTH_EXPIRES; loadedAt = Date.now();
        if (cb) cb(BX24.getAuth());
      });
    },
    callMethod: function (method, params, cb) {
      var body = Object.assign({}, params || {}, {auth: data && data.AUTH_ID});
      fetch(restURL(method), {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)})
        .then(function (r) { return r.json(); })
        .then(function (ans) {
          if (cb) cb({
            answer: ans,
            data: function () { return ans.result; },
            error: function () { return ans.error ? ans.error + ': ' + ans.error_description : false; },
            more: function () { return typeof ans.next !== 'undefined'; },
            total: function () { return ans.total; }
          });
        });
    },
    openPath: function (path, cb) { send('openPath', {path: path}, cb); },
    closeApplication: function () { send('closeApplication', {}); },
    placement: {
      info: function () { return {placement: data ? data.PLACEMENT : '', options: data ? data.PLACEMENT_OPTIONS : {}}; },
      getInterface: function (cb) { if (cb) cb({command: [], event: []}); },
      bindEvent: function () {},
      call: function (cmd, params, cb) { send('placementCall', {command: cmd, params: params}, cb); }
    }
  };
  window.BX24 = BX24;
})();
