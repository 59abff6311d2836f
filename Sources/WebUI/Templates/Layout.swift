/// The page frame every page inherits: header with navigation and the login, `main`, the script.
/// Pages fill `title` and `content`; `{{ }}` escapes HTML, so names and logs render as text.
enum LayoutTemplate {
    static let text = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{$title}}Flowline{{/title}} · Flowline</title>
        <link rel="stylesheet" href="/static/flowline.css">
        </head>
        <body>
        <header class="top">
        <a class="brand" href="/">Flowline</a>
        <nav aria-label="Main">{{#nav}}<a href="{{href}}">{{label}}</a>{{/nav}}</nav>
        {{#session}}<form method="post" action="/logout" class="logout"><input type="hidden" name="csrf_token" value="{{csrf}}"><span>{{username}} · {{role}}</span><button type="submit">Log out</button></form>{{/session}}
        </header>
        <main id="main">
        {{#flash}}<p class="banner notice" role="status">{{flash}}</p>{{/flash}}
        {{$content}}{{/content}}
        </main>
        <script src="/static/flowline.js"></script>
        </body>
        </html>
        """
}

/// `/login`.
enum LoginTemplate {
    static let text = """
        {{<layout}}{{$title}}Log in{{/title}}{{$content}}
        <div class="login card">
        <h1>Log in to Flowline</h1>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        <form method="post" action="/login">
        <input type="hidden" name="csrf_token" value="{{login_csrf}}">
        <input type="hidden" name="next" value="{{next}}">
        <label for="username">Username</label>
        <input type="text" id="username" name="username" autocomplete="username" required autofocus value="{{username}}">
        <label for="password">Password</label>
        <input type="password" id="password" name="password" autocomplete="current-password" required>
        <p><button class="primary" type="submit">Log in</button></p>
        </form>
        </div>
        {{/content}}{{/layout}}
        """
}

/// Any error page: a status and what to do.
enum ErrorTemplate {
    static let text = """
        {{<layout}}{{$title}}{{status}}{{/title}}{{$content}}
        <h1>{{status}}</h1>
        <p class="error">{{message}}</p>
        <p><a href="/dags">Back to the DAGs</a></p>
        {{/content}}{{/layout}}
        """
}
