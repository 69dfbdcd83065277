// The verify page's PDF fingerprint check, as a file: the page's Content-Security-Policy allows
// no inline script. The expected SHA-256 comes from the page (data-sha256 on #cmp).
(function () {
  var box = document.getElementById('cmp');
  if (!box || !(window.crypto && crypto.subtle)) return;
  var expected = box.getAttribute('data-sha256');
  box.hidden = false;
  document.getElementById('cmp-file').addEventListener('change', function (e) {
    var f = e.target.files[0], out = document.getElementById('cmp-result');
    if (!f) return;
    f.arrayBuffer().then(function (buf) { return crypto.subtle.digest('SHA-256', buf); }).then(function (h) {
      var hex = Array.prototype.map.call(new Uint8Array(h), function (b) {
        return ('0' + b.toString(16)).slice(-2); }).join('');
      out.textContent = hex === expected ? '一致：该文件就是平台出具的原件' : '不一致：该文件不是平台出具的原件或已被改动';
      out.style.color = hex === expected ? '#2e9d4f' : '#c62828';
    });
  });
})();
