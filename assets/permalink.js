// Keeps the address bar a permalink of the current view without a page re-render: Dash's pages
// router re-renders on dcc.Location search changes, so we write history directly.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  dashboard: {
    // A feature picker's pick (layouts.common.feature_picker): all, none, or every column of one kind
    // (the kind rides in each option's title).
    pickFeatures: function () {
      var options = arguments[arguments.length - 1] || [];
      var triggered = window.dash_clientside.callback_context.triggered;
      var pick = triggered && triggered.length ? triggered[0].prop_id.split(".")[0].split("-pick-").pop() : "";
      if (pick === "none") { return []; }
      return options.filter(function (option) {
        return !option.disabled && (pick === "all" || option.title === pick);  // never the target
      }).map(function (option) { return option.value; });
    },
    // A page's permalink (callbacks/widgets.bind_permalink): spec.fields are [key, join, empty] for the
    // first arguments; with spec.params the next two are the parameter controls' values and ids (p_<name>);
    // with spec.embed the iframe snippet is returned beside the link.
    syncFields: function (spec, args) {
      var state = {};
      spec.fields.forEach(function (field, i) {
        var value = args[i];
        if (Array.isArray(value)) { value = value.join(field[1]); }
        if ((value === null || value === undefined || value === "") && field[2] !== null) { value = field[2]; }
        state[field[0]] = value;
      });
      if (spec.params) {
        var values = args[spec.fields.length] || [], ids = args[spec.fields.length + 1] || [];
        ids.forEach(function (id, i) { state["p_" + id.name] = values[i]; });
      }
      var params = new URLSearchParams();
      Object.keys(state).forEach(function (key) {
        var value = state[key];
        if (value !== null && value !== undefined && value !== "") { params.set(key, value); }
      });
      var embed = new URLSearchParams(window.location.search).get("embed");
      if (embed) { params.set("embed", embed); }
      var path = window.location.pathname + "?" + params.toString();
      if (path !== window.location.pathname + window.location.search) {
        window.history.replaceState(window.history.state, "", path);
      }
      var link = window.location.origin + path;
      if (!spec.embed) { return link; }
      params.set("embed", "1");
      var embedUrl = window.location.origin + window.location.pathname + "?" + params.toString();
      var snippet = '<iframe src="' + embedUrl.replace(/&/g, "&amp;").replace(/"/g, "&quot;") +
        '" style="width:100%;border:0" title="Dashboard view"></iframe>';
      return [link, snippet];
    }
  }
});
