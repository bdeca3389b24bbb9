"""Realistic-format fake credentials, built at test time from parts.

Nothing here is a live credential, and no complete token is written in the
repository as one literal: prefixes and bodies are joined when the tests run
(so secret scanners and push protection see no token in the source). Each
rule gets a positive sample (a file path and its text, plus the secret the
rule must report) and a negative sample it must not report.
"""

import base64
import json
import random
import string
import zlib
from dataclasses import dataclass

from seawall.analyze.secrets.validators import base62

_RNG = random.Random(20240102)
B62 = string.digits + string.ascii_letters
HEX = "0123456789abcdef"
UPPER32 = string.ascii_uppercase + "234567"
B64 = string.ascii_letters + string.digits + "+/"


def rnd(alphabet: str, n: int) -> str:
    # Random values mixing every class of the alphabet, so entropy gates pass.
    return "".join(_RNG.choice(alphabet) for _ in range(n))


def p(*parts: str) -> str:
    """Join parts: keeps complete token literals out of the source."""
    return "".join(parts)


def github_token(prefix: str) -> str:
    body = rnd(B62, 30)
    return p(prefix, "_", body, base62(zlib.crc32(body.encode())))


def aws_key_id() -> str:
    return p("AK", "IA", rnd(UPPER32, 16))


def aws_secret() -> str:
    while True:
        value = rnd(B64, 40)
        if any(c.isupper() for c in value) and any(c.isdigit() for c in value):
            return value


def jwt_token() -> str:
    def seg(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    signature = base64.urlsafe_b64encode(_RNG.randbytes(32)).rstrip(b"=").decode()
    return p(seg({"alg": "HS256", "typ": "JWT"}), ".", seg({"sub": "svc", "n": 7}), ".", signature)


def pem_body(lines: int = 12) -> str:
    return "\n".join(rnd(B64, 64) for _ in range(lines))


def pem_key(kind: str = "RSA ") -> str:
    dashes = "-----"
    return p(
        dashes,
        "BEGIN ",
        kind,
        "PRIVATE KEY",
        dashes,
        "\n",
        pem_body(),
        "\n",
        dashes,
        "END ",
        kind,
        "PRIVATE KEY",
        dashes,
        "\n",
    )


@dataclass(frozen=True)
class Sample:
    path: str
    text: str
    secret: str
    """The credential the rule must report (its preview and fingerprint are checked)."""


def positives() -> dict[str, Sample]:
    """One realistic sample per rule id."""
    key_id, secret = aws_key_id(), aws_secret()
    dashes = "-----"
    s: dict[str, Sample] = {}

    def add(rule: str, text: str, value: str, path: str = "/srv/app/settings.conf") -> None:
        s[rule] = Sample(path, text, value)

    add("aws-access-key-id", f"key = {key_id}\n", key_id)
    add("aws-secret-access-key", f"aws_secret_access_key = {secret}\n", secret)
    add("aws-secret-access-key-paired", f'id: "{key_id}"\nkey: "{secret}"\n', secret)
    v = rnd(B64, 300)
    add("aws-session-token", f"AWS_SESSION_TOKEN={v}\n", v)
    v = p(
        "amzn.mws.",
        rnd(HEX, 8),
        "-",
        rnd(HEX, 4),
        "-",
        rnd(HEX, 4),
        "-",
        rnd(HEX, 4),
        "-",
        rnd(HEX, 12),
    )
    add("aws-mws-key", f"mws={v}\n", v)
    body = "\\n".join(rnd(B64, 64) for _ in range(10))
    v = p(
        dashes,
        "BEGIN PRIVATE KEY",
        dashes,
        "\\n",
        body,
        "\\n",
        dashes,
        "END PRIVATE KEY",
        dashes,
        "\\n",
    )
    doc = json.dumps({"type": "service_account", "private_key_id": rnd(HEX, 40)})[:-1]
    add("gcp-service-account-key", doc + f', "private_key": "{v}"}}\n', v, "/srv/app/sa.json")
    v = p("AI", "za", rnd(B62 + "_-", 35))
    add("gcp-api-key", f"GOOGLE_KEY={v}\n", v)
    v = p("GOC", "SPX-", rnd(B62, 28))
    add("gcp-oauth-client-secret", f"client_secret={v}\n", v)
    v = p("ya", "29.", rnd(B62, 60))
    add("google-oauth-access-token", f"bearer {v}\n", v)
    v = p(rnd(B64, 86), "==")
    add(
        "azure-storage-connection-string",
        f"DefaultEndpointsProtocol=https;AccountName=acme01;AccountKey={v};EndpointSuffix=x\n",
        v,
    )
    add("azure-storage-account-key", f"storage_account_key: {v}\n", v)
    w = p(rnd(B64, 43), "=")
    add(
        "azure-shared-access-key",
        f"Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey={w}\n",
        w,
    )
    v = p(rnd(B62, 43), "%3D")
    add("azure-sas-token", f"https://a.blob.core.windows.net/c?sv=2022-11-02&ss=b&sig={v}\n", v)
    v = p(rnd(B62, 3), "8Q~", rnd(B62, 31))
    add("azure-ad-client-secret", f"AZURE_CLIENT_SECRET={v}\n", v)
    v = p("dop_", "v1_", rnd(HEX, 64))
    add("digitalocean-token", f"token {v}\n", v)
    v = p("LT", "AI", rnd(B62, 20))
    add("alibaba-access-key-id", f"ak={v}\n", v)
    v = p(rnd(HEX, 8), "-", rnd(HEX, 4), "-", rnd(HEX, 4), "-", rnd(HEX, 4), "-", rnd(HEX, 12))
    add("heroku-api-key", f"HEROKU_API_KEY={v}\n", v)
    v = p("hv", "s.", rnd(B62, 95))
    add("hashicorp-vault-token", f"VAULT_TOKEN={v}\n", v)
    v = p(rnd(B62, 14), ".atlas", "v1.", rnd(B62, 65))
    add("terraform-cloud-token", f'token = "{v}"\n', v)
    v = p("da", "pi", rnd(HEX, 32))
    add("databricks-token", f"DATABRICKS={v}\n", v)
    v = p("fo", "1_", rnd(B62, 43))
    add("flyio-token", f"FLY={v}\n", v)
    for rule, prefix in (
        ("github-pat", "ghp"),
        ("github-oauth-token", "gho"),
        ("github-app-token", "ghs"),
        ("npm-access-token", "npm"),
    ):
        v = github_token(prefix)
        add(rule, f"auth {v}\n", v)
    v = p("gh", "r_", rnd(B62, 76))
    add("github-refresh-token", f"refresh {v}\n", v)
    v = p("github", "_pat_", rnd(B62, 22), "_", rnd(B62, 59))
    add("github-fine-grained-pat", f"GH={v}\n", v)
    v = p("gl", "pat-", rnd(B62, 20))
    add("gitlab-pat", f"GITLAB={v}\n", v)
    v = p("gl", "ptt-", rnd(HEX, 40))
    add("gitlab-pipeline-trigger-token", f"t={v}\n", v)
    v = p("gl", "rt-", rnd(B62, 20))
    add("gitlab-runner-token", f"t={v}\n", v)
    v = p("gl", "dt-", rnd(B62, 20))
    add("gitlab-deploy-token", f"t={v}\n", v)
    v = p("gl", "oas-", rnd(HEX, 64))
    add("gitlab-oauth-secret", f"t={v}\n", v)
    v = p("AT", "BB", rnd(B62, 32))
    add("bitbucket-app-password", f"pw={v}\n", v)
    v = rnd(string.ascii_lowercase + string.digits, 40)
    add("bitbucket-client-secret", f"BITBUCKET_CLIENT_SECRET={v}\n", v)
    v = p("ATA", "TT3", rnd(B62, 186))
    add("atlassian-api-token", f"JIRA={v}\n", v)
    v = p("xo", "xb-", rnd(string.digits, 12), "-", rnd(string.digits, 12), "-", rnd(B62, 24))
    add("slack-bot-token", f"SLACK={v}\n", v)
    v = p(
        "xo",
        "xp-",
        rnd(string.digits, 12),
        "-",
        rnd(string.digits, 12),
        "-",
        rnd(string.digits, 12),
        "-",
        rnd(HEX, 32),
    )
    add("slack-user-token", f"SLACK={v}\n", v)
    v = p(
        "xa",
        "pp-1-",
        rnd(string.ascii_uppercase, 10),
        "-",
        rnd(string.digits, 13),
        "-",
        rnd(HEX, 64),
    )
    add("slack-app-token", f"SLACK={v}\n", v)
    v = p("xo", "xs-", rnd(B62, 40))
    add("slack-legacy-token", f"SLACK={v}\n", v)
    v = p("T", rnd(UPPER32, 9), "/B", rnd(UPPER32, 9), "/", rnd(B62, 24))
    add("slack-webhook", f"url: https://hooks.slack.com/services/{v}\n", v)
    v = rnd(B62 + "_-", 68)
    add("discord-webhook", f"https://discord.com/api/webhooks/{rnd(string.digits, 18)}/{v}\n", v)
    v = p("M", rnd(B62, 25), ".", rnd(B62, 6), ".", rnd(B62, 30))
    add("discord-bot-token", f"DISCORD_TOKEN={v}\n", v)
    v = p(rnd(string.digits, 9), ":A", "A", rnd(B62, 33))
    add("telegram-bot-token", f"bot={v}\n", v)
    v = p(
        rnd(HEX, 32),
        "/",
        rnd(HEX, 8),
        "-",
        rnd(HEX, 4),
        "-",
        rnd(HEX, 4),
        "-",
        rnd(HEX, 4),
        "-",
        rnd(HEX, 12),
    )
    add(
        "teams-webhook",
        f"https://acme.webhook.office.com/webhookb2/{rnd(HEX, 36)}@{rnd(HEX, 36)}/IncomingWebhook/{v}\n",  # noqa: E501
        v,
    )
    v = p("sk", "_live_", rnd(B62, 32))
    add("stripe-live-key", f"STRIPE={v}\n", v)
    v = p("sk", "_test_", rnd(B62, 32))
    add("stripe-test-key", f"STRIPE={v}\n", v)
    v = p("wh", "sec_", rnd(B62, 32))
    add("stripe-webhook-secret", f"WH={v}\n", v)
    v = p("sq0", "atp-", rnd(B62, 22))
    add("square-token", f"SQ={v}\n", v)
    v = p("access_token$", "production$", rnd("abcdef0123456789xyz", 16), "$", rnd(HEX, 32))
    add("braintree-access-token", f"BT={v}\n", v)
    v = p("sh", "pat_", rnd(HEX, 32))
    add("shopify-token", f"SHOP={v}\n", v)
    v = p("S", "K", rnd(HEX, 32))
    add("twilio-api-key", f"TWILIO_API_KEY={v}\n", v)
    v = rnd(HEX, 32)
    add("twilio-auth-token", f"TWILIO_AUTH_TOKEN={v}\n", v)
    v = p("S", "G.", rnd(B62, 22), ".", rnd(B62, 43))
    add("sendgrid-api-key", f"SENDGRID={v}\n", v)
    v = p("ke", "y-", rnd(HEX, 32))
    add("mailgun-api-key", f"MAILGUN_KEY={v}\n", v)
    v = p(rnd(HEX, 32), "-us", "14")
    add("mailchimp-api-key", f"MC={v}\n", v)
    v = rnd(B62, 36)
    add("npmrc-auth", f"//registry.npmjs.org/:_authToken={v}\n", v, "/root/.npmrc")
    v = p("py", "pi-AgEIcHlwaS5vcmc", rnd(B62, 70))
    add("pypi-upload-token", f"TWINE_PASSWORD={v}\n", v)
    v = rnd(B62, 16)
    add("pypirc-password", f"[pypi]\nusername = acme\npassword = {v}\n", v, "/root/.pypirc")
    v = p("dckr", "_pat_", rnd(B62, 27))
    add("dockerhub-token", f"DOCKER_TOKEN={v}\n", v)
    v = base64.b64encode(p("acme:", rnd(B62, 20)).encode()).decode()
    add(
        "docker-config-auth",
        json.dumps({"auths": {"registry.example": {"auth": v}}}) + "\n",
        v,
        "/root/.docker/config.json",
    )
    v = p("ruby", "gems_", rnd(HEX, 48))
    add("rubygems-api-key", f"GEM={v}\n", v)
    v = p("oy", "2", rnd(string.ascii_lowercase + string.digits, 43))
    add("nuget-api-key", f"NUGET={v}\n", v)
    v = p("AK", "Cp", rnd(B62, 69))
    add("jfrog-api-key", f"ART={v}\n", v)
    v = p("sk-", "proj-", rnd(B62, 40), "T3Blbk", "FJ", rnd(B62, 40))
    add("openai-api-key", f"OPENAI={v}\n", v)
    v = p("sk-", "ant-api03-", rnd(B62, 93), "AA")
    add("anthropic-api-key", f"ANTHROPIC={v}\n", v)
    v = p("h", "f_", rnd(string.ascii_letters, 34))
    add("huggingface-token", f"HF={v}\n", v)
    v = p("NR", "AK-", rnd(string.ascii_uppercase + string.digits, 27))
    add("newrelic-user-key", f"NR={v}\n", v)
    v = p("gl", "sa_", rnd(B62, 32), "_", rnd(HEX, 8))
    add("grafana-token", f"GRAFANA={v}\n", v)
    v = p("PM", "AK-", rnd(HEX, 24), "-", rnd(HEX, 34))
    add("postman-api-key", f"POSTMAN={v}\n", v)
    v = p("pscale", "_tkn_", rnd(B62, 40))
    add("planetscale-token", f"PS={v}\n", v)
    v = p("lin", "_api_", rnd(B62, 40))
    add("linear-api-key", f"LINEAR={v}\n", v)
    v = p("dp", ".pt.", rnd(B62, 43))
    add("doppler-token", f"DOPPLER={v}\n", v)
    v = p("pu", "l-", rnd(HEX, 40))
    add("pulumi-token", f"PULUMI={v}\n", v)
    v = p("AGE-SECRET", "-KEY-1", rnd("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58))
    add("age-secret-key", f"# created\n{v}\n", v)
    v = p("EAACEd", "Eose0cBA", rnd(B62, 100))
    add("facebook-access-token", f"FB={v}\n", v)
    v = p("00", rnd(B62, 40))
    add("okta-api-token", f"OKTA_API_TOKEN={v}\n", v)
    v = jwt_token()
    add("jwt", f"Authorization: Bearer {v}\n", v)
    body = pem_body()
    add(
        "openssh-private-key",
        p(
            dashes,
            "BEGIN OPENSSH PRIVATE KEY",
            dashes,
            "\n",
            body,
            "\n",
            dashes,
            "END OPENSSH PRIVATE KEY",
            dashes,
            "\n",
        ),
        body,
        "/root/.ssh/id_ed25519",
    )
    body = "\n" + "\n".join(rnd(B64, 64) for _ in range(20)) + "\n"
    add(
        "pgp-private-key",
        p(
            dashes,
            "BEGIN PGP PRIVATE",
            " KEY BLOCK",
            dashes,
            body,
            dashes,
            "END PGP PRIVATE",
            " KEY BLOCK",
            dashes,
            "\n",
        ),
        body,
        "/root/key.asc",
    )
    key = pem_key()
    body = key.split("\n", 1)[1].rsplit("\n", 2)[0]
    add("private-key", key, body, "/etc/ssl/private/server.key")
    body = "\n".join(rnd(B64, 64) for _ in range(6))
    add(
        "putty-private-key",
        f"PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\nComment: k\nPublic-Lines: 1\nAAAA\nPrivate-Lines: 6\n{body}",  # noqa: E501
        body,
        "/home/u/key.ppk",
    )
    v = base64.b64encode(_RNG.randbytes(120)).decode()
    add("kubeconfig-client-key", f"users:\n- name: a\n  user:\n    client-key-data: {v}\n", v)
    v = rnd(B62, 40)
    add(
        "kubeconfig-token",
        f"users:\n- name: ci\n  user:\n    token: {v}\n",
        v,
        "/root/.kube/config",
    )
    v = rnd(B62, 24)
    add("git-credentials", f"https://acme:{v}@github.com\n", v, "/root/.git-credentials")
    v = rnd(B62, 18)
    add("netrc-password", f"machine api.example login bob password {v}\n", v, "/root/.netrc")
    v = p("$apr1$", rnd(B62, 8), "$", rnd(B62 + "./", 22))
    add("htpasswd-hash", f"admin:{v}\n", v, "/etc/nginx/.htpasswd")
    v = p("$6$", rnd(B62, 16), "$", rnd(B62 + "./", 86))
    add("shadow-hash", f"root:{v}:19000:0:99999:7:::\n", v, "/etc/shadow")
    v = rnd(B62, 20)
    add("database-url-password", f"DATABASE_URL=postgres://app:{v}@db.internal:5432/app\n", v)
    v = rnd(B62, 20)
    add("url-password", f"mirror = https://deploy:{v}@repo.example/simple\n", v)
    v = p("Xq9", rnd(B62 + "#!%", 13))
    add("generic-password", f'db_password = "{v}"\n', v, "/srv/app/app.py")
    v = rnd(B62, 32)
    add("generic-secret", f"SECRET_KEY={v}\n", v, "/srv/app/.env")
    v = rnd(B62, 32)
    add("generic-api-key", f'api_key: "{v}"\n', v, "/srv/app/config.yml")
    return s


def negatives() -> dict[str, Sample]:
    """Per rule: the same shape made harmless (placeholder, example, bad checksum, wrong file)."""
    n: dict[str, Sample] = {}

    def add(rule: str, text: str, path: str = "/srv/app/settings.conf") -> None:
        n[rule] = Sample(path, text, "")

    add("aws-access-key-id", p("key = AK", "IAIOSFODNN7EXAMPLE\n"))
    add(
        "aws-secret-access-key",
        p("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY", "EXAMPLEKEY\n"),
    )
    add("aws-secret-access-key-paired", f'key: "{aws_secret()}"\n')  # no key ID in the file
    ghp = github_token("ghp")
    add("github-pat", f"auth {ghp[:-1]}{'A' if ghp[-1] != 'A' else 'B'}\n")  # checksum broken
    add("npm-access-token", p("auth npm", "_", "x" * 36, "\n"))
    add("generic-password", 'db_password = "changeme"\n', "/srv/app/app.py")
    add("generic-secret", "SECRET_KEY=${SECRET_KEY}\n", "/srv/app/.env")
    add("generic-api-key", 'api_key: "<your-api-key>"\n', "/srv/app/config.yml")
    add("database-url-password", "DATABASE_URL=postgres://app:changeme@localhost/app\n")
    add("url-password", "mirror = https://user:password@repo.example/simple\n")
    add("jwt", "token eyJhbGciOiJIUzI1NiJ9x.eyJzdWIiOiIxIn0.notasignature\n")
    add("netrc-password", "machine a login b password xxxxxxxx\n", "/root/.netrc")
    add("kubeconfig-token", "token: <token>\n", "/root/.kube/config")
    add("docker-config-auth", '{"auths": {"r": {"auth": ""}}}\n', "/root/.docker/config.json")
    add(
        "slack-webhook",
        "https://hooks.slack.com/services/TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX\n",
    )
    add("stripe-live-key", p("sk", "_live_", "x" * 24, "\n"))
    add(
        "private-key",
        p("-----BEGIN RSA ", "PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n"),
    )
    add("git-credentials", "https://user:<token>@github.com\n", "/root/.git-credentials")
    # A real-looking key in a path the rule does not cover: not a kubeconfig.
    add("pypirc-password", f"password = {rnd(B62, 16)}\n", "/srv/app/notes.conf")
    return n
