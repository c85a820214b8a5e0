"""The city posture dashboard (`cityguard serve`) and the city roll-up report.

    app.create_app(ServeConfig) -> the Starlette application (routes, sessions, headers)
    server.serve(ServeConfig)   -> run it under uvicorn (127.0.0.1:8080 by default)
    accounts                     -> users, passwords (argon2id), sign-in, lockout
    overview.compute(store)      -> the city overview (pages, API, `report city`)
    cityreport.write(...)        -> `cityguard report city` (html, xlsx, md, pdf)

Orchestration floor: reads the store, renders stored runs through assess.reporting and
render/, never prints or exits (docs/dashboard.md).
"""
