/// The little JavaScript the pages need: confirmations, the live log of a running task
/// (server-sent events), and the JSON editor's check. Pages work without it.
enum Script {
    static let javascript = """
        document.addEventListener("submit", function (event) {
          var message = event.target.getAttribute("data-confirm");
          if (message && !window.confirm(message)) { event.preventDefault(); }
        });
        (function () {
          var log = document.getElementById("live-log");
          if (!log || !window.EventSource) { return; }
          var source = new EventSource(log.getAttribute("data-source"));
          source.addEventListener("line", function (event) {
            var atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 20;
            log.appendChild(document.createTextNode(event.data + "\\n"));
            if (atBottom) { log.scrollTop = log.scrollHeight; }
          });
          source.addEventListener("end", function () { source.close(); var state = document.getElementById("live-state"); if (state) { state.textContent = "finished — reload for the result"; } });
        })();
        """
}
