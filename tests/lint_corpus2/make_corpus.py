"""The source of tests/lint_corpus2: its files with their labels written inline, as they were
written (before the lint was run on them). `python tests/lint_corpus2/make_corpus.py
tests/lint_corpus2` writes files/ and labels.json, deterministically (seeded).

Markers at line ends: ⟪+CODE⟫ or ⟪+CODE|ALT⟫ a positive on this line, ⟪+CODE:N⟫ a positive spanning
N more lines, ⟪-⟫ a look-alike negative. All secrets are random and fake."""
import base64, json, random, re, string, sys, uuid, hashlib
from pathlib import Path

R = random.Random(20261202)
UP = string.ascii_uppercase; LO = string.ascii_lowercase; DG = string.digits
AN = UP + LO + DG
HEX = "0123456789abcdef"
def rnd(n, al=AN): return "".join(R.choice(al) for _ in range(n))
def b64(s): return base64.b64encode(s.encode()).decode()
def b64n(s): return b64(s.replace("~", chr(10)))
def aws_id(): return "AKIA" + rnd(16, UP + DG)
def aws_secret(): return rnd(40, AN + "/+")
def pw():  # realistic human-ish generated password
    return rnd(5, LO) + R.choice("!#%&*@") + rnd(3, DG) + rnd(4, UP) + rnd(2, LO)
def pem():
    body = "\n".join(rnd(64, AN + "/+") for _ in range(4))
    return "-----BEGIN RSA PRIVATE KEY-----\n" + body + "\n" + rnd(20, AN) + "==\n-----END RSA PRIVATE KEY-----"
def jwt():
    h = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip("=")
    p = base64.urlsafe_b64encode(json.dumps({"sub": "svc-" + rnd(6, LO), "iat": 1733000000}).encode()).decode().rstrip("=")
    return f"{h}.{p}.{rnd(43, AN + '-_')}"
def dockercfg(registry, user, password):
    auth = b64(f"{user}:{password}")
    return b64(json.dumps({"auths": {registry: {"username": user, "password": password, "auth": auth}}}))
def dockercfg_auth_only(registry, user, password):
    return b64(json.dumps({"auths": {registry: {"auth": b64(f"{user}:{password}")}}}))

F = {}

F["k8s/registry-pull-secret.yaml"] = f"""\
apiVersion: v1
kind: Secret
metadata:
  name: regcred-harbor
  namespace: ingest
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: {dockercfg("harbor.corp.example:8443", "robot$ingest", pw())}⟪+FLC201|FLC217⟫
---
apiVersion: v1
kind: Secret
metadata:
  name: regcred-ghcr
  namespace: ingest
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: >-⟪+FLC201|FLC217:1⟫
    {dockercfg_auth_only("ghcr.io", "acme-deployer", pw())}
---
apiVersion: v1
kind: Secret
metadata:
  name: regcred-template
type: kubernetes.io/dockerconfigjson
stringData:
  .dockerconfigjson: |⟪+FLC201|FLC217:3⟫
    {{"auths": {{"quay.io": {{"username": "acme+builder",
      "password": "{rnd(32, UP + DG)}",
      "auth": "{b64('acme+builder:' + rnd(20, AN))}"}}}}}}
---
apiVersion: v1
kind: Secret
metadata:
  name: regcred-placeholder
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: {b64(json.dumps({"auths": {"registry.example.com": {"username": "<user>", "password": "<password>"}}}))}⟪-⟫
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: registry-mirror
data:
  registries.conf: {b64n('[[registry]]~location = "docker.io"~mirror = "mirror.corp.example"~')}⟪-⟫
"""

F["k8s/app-secrets.yaml"] = f"""\
apiVersion: v1
kind: Secret
metadata:
  name: orders-db
  labels:
    app.kubernetes.io/name: orders
    app.kubernetes.io/part-of: lakehouse
type: Opaque
data:
  username: {b64("orders_rw")}⟪-⟫
  host: {b64("orders-db.data.svc.cluster.local")}⟪-⟫
  port: {b64("5432")}⟪-⟫
  password: {b64(pw())}⟪+FLC201⟫
  database: {b64("orders")}⟪-⟫
  sslmode: {b64("verify-full")}⟪-⟫
---
apiVersion: v1
kind: Secret
metadata:
  name: payments-api
type: Opaque
stringData:
  api-key: {rnd(32, AN)}⟪+FLC202⟫
  webhook-signing-secret: {rnd(28, AN)}⟪+FLC202⟫
  key-store-password: {pw()}⟪+FLC201⟫
  trust-store-password: {pw()}⟪+FLC201⟫
  log-level: debug⟪-⟫
  feature-flags: "new-checkout,fast-refunds"⟪-⟫
---
apiVersion: v1
kind: Secret
metadata:
  name: settings-only
type: Opaque
data:
  LOG_LEVEL: {b64("info")}⟪-⟫
  APP_ENV: {b64("production")}⟪-⟫
  FEATURE_FLAGS: {b64("enable_new_ui=true,enable_beta_search=false")}⟪-⟫
  JAVA_TOOL_OPTIONS: {b64("-XX:MaxRAMPercentage=75.0 -Duser.timezone=UTC")}⟪-⟫
  application.properties: {b64n("server.port=8080~spring.profiles.active=prod~management.endpoints.web.exposure.include=health,info~")}⟪-⟫
"""

F["k8s/deployment-jvm.yaml"] = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ledger
  annotations:
    checksum/config: {hashlib.sha256(b"ledger-config").hexdigest()}⟪-⟫
    deployment.kubernetes.io/revision: "14"⟪-⟫
spec:
  replicas: 3
  selector:
    matchLabels:
      app: ledger
  template:
    metadata:
      labels:
        app: ledger
    spec:
      imagePullSecrets:
        - name: regcred-harbor⟪-⟫
      containers:
        - name: ledger
          image: harbor.corp.example:8443/fin/ledger@sha256:{hashlib.sha256(b"ledger-img").hexdigest()}⟪-⟫
          env:
            - name: JAVA_OPTS
              value: "-Xmx2g -Dspring.datasource.username=ledger -Dspring.datasource.password={pw()} -Dfile.encoding=UTF-8"⟪+FLC201⟫
            - name: JAVA_TOOL_OPTIONS
              value: >-⟪+FLC201:2⟫
                -Djavax.net.ssl.keyStore=/etc/tls/keystore.p12
                -Djavax.net.ssl.keyStorePassword={pw()} -Djavax.net.ssl.keyStoreType=PKCS12
            - name: CATALINA_OPTS
              value: "-Djavax.net.ssl.trustStore=/etc/tls/truststore.jks -Djavax.net.ssl.trustStorePassword=${{TRUSTSTORE_PASSWORD}}"⟪-⟫
            - name: JDK_JAVA_OPTIONS
              value: "-Dcom.sun.management.jmxremote.password.file=/etc/jmx/jmxremote.password -Dcom.sun.management.jmxremote.ssl=false"⟪-⟫
            - name: SPRING_DATASOURCE_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: orders-db⟪-⟫
                  key: password⟪-⟫
            - name: LEDGER_SIGNING
              value: "{rnd(44, AN + '+/')}="⟪+FLC218|FLC202⟫
            - name: POD_UID
              valueFrom:
                fieldRef:
                  fieldPath: metadata.uid
            - name: INSTANCE_ID
              value: "{uuid.UUID(int=R.getrandbits(128))}"⟪-⟫
          args:
            - "--spring.datasource.password={pw()}"⟪+FLC201⟫
            - "--server.ssl.key-store-password=changeit"⟪-⟫
            - "--logging.level.root=INFO"⟪-⟫
"""

F["compose/stack.yml"] = f"""\
services:
  redis:
    image: redis:7.2-alpine
    command: redis-server --appendonly yes --requirepass {pw()}⟪+FLC201⟫
    healthcheck:
      test: ["CMD", "redis-cli", "--no-auth-warning", "ping"]⟪-⟫
  minio:
    image: quay.io/minio/minio:RELEASE.2024-06-13T22-53-53Z⟪-⟫
    command: server /data --console-address ":9001"⟪-⟫
  vault-agent:
    image: hashicorp/vault:1.16
    command: ["vault", "agent", "-config=/etc/vault/agent.hcl"]⟪-⟫
  exporter:
    image: prom/mysqld-exporter:v0.15.1
    command: --mysqld.username=exporter --mysqld.address=mysql:3306 --web.listen-address=:9104⟪-⟫
  uploader:
    image: ghcr.io/acme/uploader:2.4.1
    command: >-⟪+FLC202:2⟫
      uploader run --bucket acme-raw --region eu-west-1
      --api-token {rnd(40, AN)} --parallel 8
  syncer:
    image: ghcr.io/acme/syncer:0.9.0
    command: sync --source-dsn "host=pg user=sync dbname=raw" --auth-token={rnd(36, LO + DG)} --dry-run=false⟪+FLC202⟫
  worker:
    image: ghcr.io/acme/worker:1.2.0
    command: ["worker", "--queue", "etl", "--broker-password", "{pw()}"]⟪+FLC201⟫
  db:
    image: postgres:16
    command: postgres -c ssl=on -c password_encryption=scram-sha-256 -c max_connections=200⟪-⟫
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD_FILE: /run/secrets/pg_password⟪-⟫
      POSTGRES_INITDB_ARGS: "--auth-host=scram-sha-256"⟪-⟫
  mysql:
    image: mysql:8.4
    command: --default-authentication-plugin=caching_sha2_password --character-set-server=utf8mb4⟪-⟫
    environment:
      MYSQL_ROOT_PASSWORD: changeme⟪-⟫
      MYSQL_PASSWORD: "<your-password>"⟪-⟫
  keycloak:
    image: quay.io/keycloak/keycloak:25.0
    command: start --hostname=auth.corp.example --db-password={pw()} --https-key-store-password=${{KS_PASS}}⟪+FLC201⟫
  cli:
    image: ghcr.io/acme/cli:1.0.0
    entrypoint: ["/bin/sh", "-c"]
    command:
      - |⟪+FLC201:2⟫
        acme login --user deploy --password '{pw()}'
        acme publish --channel stable
  registry-login:
    image: docker:27-cli
    command: sh -c "docker login -u ci-bot -p {pw()} registry.corp.example && docker push registry.corp.example/app:1.0"⟪+FLC201⟫
  registry-login-safe:
    image: docker:27-cli
    command: sh -c "echo $$REGISTRY_TOKEN | docker login -u ci-bot --password-stdin registry.corp.example"⟪-⟫
"""

F["helm/values-prod.yaml"] = f"""\
global:
  imageRegistry: harbor.corp.example:8443
  imagePullSecrets:
    - regcred-harbor⟪-⟫
postgresql:
  enabled: true
  auth:
    username: airflow
    password: "{pw()}"⟪+FLC201⟫
    postgresPassword: "{pw()}"⟪+FLC201⟫
    existingSecret: ""⟪-⟫
    secretKeys:
      adminPasswordKey: postgres-password⟪-⟫
      userPasswordKey: password⟪-⟫
redis:
  auth:
    enabled: true
    password: REDACTED⟪-⟫
    existingSecret: redis-auth⟪-⟫
    existingSecretPasswordKey: redis-password⟪-⟫
rabbitmq:
  auth:
    username: user
    password: "***"⟪-⟫
    erlangCookie: {rnd(32, UP + DG)}⟪+FLC202|FLC218⟫
  extraConfiguration: |-
    default_vhost = /etl
    loopback_users.guest = false
keycloak:
  auth:
    adminUser: admin
    adminPassword: "<your-password>"⟪-⟫
  externalDatabase:
    password: ${{KEYCLOAK_DB_PASSWORD}}⟪-⟫
  password_hash_algorithm: bcrypt⟪-⟫
  passwordEncoder: bcrypt⟪-⟫
  password-hasher: argon2id⟪-⟫
  password_storage_scheme: PBKDF2-SHA256⟪-⟫
  passwordCipher: AES-256-GCM⟪-⟫
  password-digest: SHA-512⟪-⟫
  passwordPolicy: "length(12) and digits(2) and notUsername"⟪-⟫
grafana:
  adminPassword: changeme⟪-⟫
  adminUser: admin
  grafana.ini:
    security:
      secret_key: {rnd(24, AN)}⟪+FLC202⟫
      admin_password: ${{__file{{/etc/secrets/admin_password}}}}⟪-⟫
    auth.generic_oauth:
      client_id: grafana⟪-⟫
      client_secret: {rnd(40, LO + DG)}⟪+FLC202⟫
      tls_skip_verify_insecure: false
sentry:
  dsn: https://{rnd(32, HEX)}@o{rnd(6, DG)}.ingest.sentry.io/{rnd(7, DG)}⟪-⟫
"""

F["helm/values-vendors.yaml"] = f"""\
# Integrations of the alerting stack
notifications:
  stripe:
    key: sk_live_{rnd(24, AN)}⟪+FLC210⟫
    publishable: pk_live_{rnd(24, AN)}⟪-⟫
    signing: whsec_{rnd(32, AN)}⟪+FLC210⟫
  sendgrid:
    key: SG.{rnd(22, AN + '-_')}.{rnd(43, AN + '-_')}⟪+FLC219⟫
  pagerduty:
    routing_key: {rnd(32, HEX)}⟪+FLC202|FLC218⟫
    severity: critical⟪-⟫
  rabbit:
    exchange: events
    routing_key: orders.created.v1⟪-⟫
    binding_key: "orders.#"⟪-⟫
  github:
    key: ghp_{rnd(36, AN)}⟪+FLC206⟫
  openai:
    model: gpt-4o-mini
    key: sk-proj-{rnd(48, AN + '-_')}⟪+FLC219⟫
  huggingface:
    token_env: HF_TOKEN⟪-⟫
    value: hf_{rnd(34, AN)}⟪+FLC219⟫
  datadog:
    site: datadoghq.eu
    api: {rnd(32, HEX)}⟪+FLC202|FLC218⟫
    app: {rnd(40, HEX)}⟪+FLC202|FLC218⟫
  mailgun:
    domain: mg.corp.example
    key: key-{rnd(32, HEX)}⟪+FLC219⟫
  databricks:
    host: https://adb-{rnd(16, DG)}.7.azuredatabricks.net
    pat: dapi{rnd(32, HEX)}⟪+FLC216⟫
  aws:
    id: {aws_id()}⟪+FLC204⟫
    secret: {aws_secret()}⟪+FLC205⟫
  slack:
    signing: {rnd(32, HEX)}⟪+FLC202|FLC218⟫
    bot: xoxb-{rnd(12, DG)}-{rnd(13, DG)}-{rnd(24, AN)}⟪+FLC208⟫
  example:
    key: sk_test_xxxxxxxxxxxxxxxxxxxxxxxx⟪-⟫
    token: ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX⟪-⟫
"""

F["helm/values-entropy.yaml"] = f"""\
app:
  name: reconciler
  image:
    repository: ghcr.io/acme/reconciler
    tag: "3.1.4"⟪-⟫
    digest: sha256:{hashlib.sha256(b"rec").hexdigest()}⟪-⟫
  build:
    commit: {hashlib.sha1(b"rec-commit").hexdigest()}⟪-⟫
    sourceHash: {hashlib.md5(b"rec-src").hexdigest()}⟪-⟫
  session:
    seed: {rnd(64, HEX)}⟪+FLC218|FLC202⟫
    data: {base64.b64encode(R.randbytes(32)).decode()}⟪+FLC218|FLC202⟫
  encryption:
    k: {base64.b64encode(R.randbytes(32)).decode()}⟪+FLC218|FLC202⟫
  cookie_seed: {rnd(40, HEX)}⟪+FLC218|FLC202⟫
  config_b64: {b64n("retries: 3~timeout: 30s~region: eu-west-1~")}⟪-⟫
  defaults: {b64('{"theme":"dark","pageSize":50,"locale":"en-GB"}')}⟪-⟫
  banner: {b64("Welcome to the Acme data platform")}⟪-⟫
  requestId: {uuid.UUID(int=R.getrandbits(128))}⟪-⟫
  tenantId: {uuid.UUID(int=R.getrandbits(128))}⟪-⟫
  traceparent: 00-{rnd(32, HEX)}-{rnd(16, HEX)}-01⟪-⟫
  etag: '"{hashlib.md5(b"etag").hexdigest()}"'⟪-⟫
  integrity: sha512-{base64.b64encode(hashlib.sha512(b"pkg").digest()).decode()}⟪-⟫
  caBundle: {b64n("-----BEGIN CERTIFICATE-----~MIIB" + rnd(60, AN) + "~-----END CERTIFICATE-----~")}⟪-⟫
  fingerprint: "SHA256:{base64.b64encode(hashlib.sha256(b'hostkey').digest()).decode().rstrip('=')}"⟪-⟫
  class: com.acme.reconciler.ReconcilerApplicationConfiguration⟪-⟫
"""

F["ci/github-deploy.yml"] = f"""\
name: deploy
on:
  push:
    branches: [main]
env:
  REGISTRY: ghcr.io
  SONAR_TOKEN: ${{{{ secrets.SONAR_TOKEN }}}}⟪-⟫
  NPM_CONFIG_USERCONFIG: .npmrc
jobs:
  deploy:
    runs-on: ubuntu-24.04
    permissions:
      id-token: write⟪-⟫
      contents: read
    steps:
      - uses: actions/checkout@{hashlib.sha1(b"checkout").hexdigest()}⟪-⟫
      - uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: ${{{{ github.actor }}}}
          password: ${{{{ secrets.GITHUB_TOKEN }}}}⟪-⟫
      - name: Notify
        run: |⟪+FLC217:2⟫
          curl -sS -X POST https://api.corp.example/deploys \\
            -H "Authorization: Bearer {rnd(40, AN)}" \\
            -d '{{"service": "ledger"}}'
      - name: Publish
        run: npm publish --//registry.npmjs.org/:_authToken={rnd(36, AN)}⟪+FLC202⟫
      - name: Smoke test
        run: ./smoke.sh --endpoint https://ledger.corp.example --token "$SMOKE_TOKEN"⟪-⟫
      - name: Migrate
        run: flyway -url=jdbc:postgresql://db.corp.example/ledger -user=ledger -password={pw()} migrate⟪+FLC201⟫
      - name: Sign
        run: cosign sign --key env://COSIGN_PRIVATE_KEY ghcr.io/acme/ledger@sha256:{hashlib.sha256(b"x").hexdigest()}⟪-⟫
"""

F["ci/gitlab-release.yml"] = f"""\
variables:
  DOCKER_DRIVER: overlay2
  SENTRY_AUTH_TOKEN: "{rnd(64, HEX)}"⟪+FLC202⟫
  GIT_DEPTH: "10"
  MAVEN_OPTS: "-Dmaven.repo.local=.m2/repository -Dhttps.proxyPassword={pw()}"⟪+FLC201⟫
  MAVEN_CLI_OPTS: "--batch-mode -s ci_settings.xml"⟪-⟫
  CACHE_KEY: "{hashlib.sha1(b'pom').hexdigest()}"⟪-⟫
release:
  stage: release
  image: maven:3.9-eclipse-temurin-21
  script:
    - mvn $MAVEN_CLI_OPTS deploy -Dgpg.passphrase={pw()} -DskipTests⟪+FLC201⟫
    - mvn deploy -Dgpg.passphrase=$GPG_PASSPHRASE -Drepo.password=${{NEXUS_PASSWORD}}⟪-⟫
    - ./gradlew publish -Psigning.password={pw()} -Psigning.keyId=24875D73⟪+FLC201⟫
    - 'curl --fail --user "deployer:{pw()}" -T build/app.tar.gz https://nexus.corp.example/repository/raw/'⟪+FLC201⟫
    - echo "Using password policy: minimum 12 characters"⟪-⟫
  rules:
    - if: $CI_COMMIT_TAG
"""

F["ci/jenkins-casc.yaml"] = f"""\
jenkins:
  systemMessage: "Jenkins configured by JCasC"
  securityRealm:
    local:
      allowsSignup: false
      users:
        - id: admin
          password: "${{JENKINS_ADMIN_PASSWORD}}"⟪-⟫
        - id: release-bot
          password: "{pw()}"⟪+FLC201⟫
credentials:
  system:
    domainCredentials:
      - credentials:
          - usernamePassword:
              scope: GLOBAL
              id: nexus-deployer⟪-⟫
              username: deployer
              password: "{pw()}"⟪+FLC201⟫
          - string:
              scope: GLOBAL
              id: sonar-token⟪-⟫
              secret: "squ_{rnd(40, HEX)}"⟪+FLC202|FLC219⟫
          - basicSSHUserPrivateKey:
              id: deploy-key⟪-⟫
              username: git
              privateKeySource:
                directEntry:
                  privateKey: |⟪+FLC212:7⟫
{chr(10).join("                    " + l for l in pem().splitlines())}
          - string:
              id: vault-token
              secret: "{{AQAAABAAAAAg{rnd(40, AN + '+/')}}}"⟪-⟫
unclassified:
  location:
    url: https://jenkins.corp.example/
"""

F["kafka/connect-workers.yaml"] = f"""\
connectors:
  - name: orders-sink
    config:
      connector.class: io.confluent.connect.jdbc.JdbcSinkConnector⟪-⟫
      connection.url: jdbc:postgresql://warehouse.corp.example:5432/dw
      connection.user: connect
      connection.password: {pw()}⟪+FLC201⟫
      topics: orders
  - name: s3-archive
    config:
      connector.class: io.confluent.connect.s3.S3SinkConnector
      aws.access.key.id: {aws_id()}⟪+FLC204⟫
      aws.secret.access.key: {aws_secret()}⟪+FLC205⟫
      s3.bucket.name: acme-archive
  - name: sasl
    config:
      sasl.mechanism: SCRAM-SHA-512⟪-⟫
      sasl.jaas.config: org.apache.kafka.common.security.scram.ScramLoginModule required username="connect" password="{pw()}";⟪+FLC201⟫
      ssl.keystore.password: {pw()}⟪+FLC201⟫
      ssl.key.password: ${{file:/opt/secrets/kafka.properties:key.password}}⟪-⟫
      ssl.truststore.password: changeit⟪-⟫
      ssl.keystore.type: PKCS12⟪-⟫
      ssl.endpoint.identification.algorithm: https⟪-⟫
      basic.auth.user.info: "schema-registry:{pw()}"⟪+FLC202|FLC201⟫
      basic.auth.credentials.source: USER_INFO⟪-⟫
"""

F["docs/runbook.yaml"] = f"""\
title: Warehouse failover runbook
owner: data-platform
steps:
  - name: promote replica
    description: >⟪+FLC201:3⟫
      Log in to the bastion as ops and promote the replica. The admin account
      is dba_admin and the password is {pw()} until the rotation
      on Friday; do not share it outside the on-call channel.
  - name: reconnect clients
    description: >⟪-⟫
      Restart the connection pool. The password is read from the vault path
      secret/warehouse/admin, never typed by hand; see the password policy page.
  - name: notify
    notes: |⟪+FLC202:2⟫
      Post in #incidents. The status page API token for this is
      {rnd(32, AN)} (ops only).
  - name: verify
    notes: |⟪-⟫
      Check that the token refresh job ran and that the secret rotation
      dashboard is green. Password resets go through the IAM portal.
  - name: temporary access
    description: "Use the break-glass user: login breakglass, password {pw()}"⟪+FLC201⟫
"""

F["platform/qa/platform.yaml"] = f"""\
version: 2.0.0
storage:
  default:
    type: s3
    bucket: acme-lake-qa
    region: eu-west-1
    credentials:
      mode: static
      secret_ref: s3-qa⟪-⟫
catalogs:
  default:
    type: rest
    uri: https://catalog.qa.corp.example/api/catalog
    credentials:
      mode: oauth2
      client_id: floe-qa⟪-⟫
      client_secret: changeme⟪+FLC202⟫
      scope: PRINCIPAL_ROLE:ALL
compute:
  default:
    type: postgres
    properties:
      host: pg.qa.corp.example
      port: 5432
      user: transformer
      password: "<your-password>"⟪+FLC202⟫
      dbname: analytics
  trino:
    type: trino
    properties:
      host: trino.qa.corp.example
      port: 8443
      password: "***"⟪+FLC202⟫
  snowflake:
    type: snowflake
    properties:
      account: acme-qa
      password: REDACTED⟪+FLC202⟫
      private_key_passphrase: {pw()}⟪+FLC201⟫
      authenticator: snowflake_jwt⟪-⟫
  duck:
    type: duckdb
    properties:
      path: /data/qa.duckdb⟪-⟫
      password_hash_algorithm: bcrypt⟪-⟫
"""

F["spring/application-prod.yml"] = f"""\
spring:
  datasource:
    url: jdbc:postgresql://db.corp.example:5432/ledger
    username: ledger
    password: "{pw()}"⟪+FLC201⟫
    hikari:
      maximum-pool-size: 20
  rabbitmq:
    host: mq.corp.example
    password: ${{RABBIT_PASSWORD:changeme}}⟪-⟫
  mail:
    password: "{pw()}"⟪+FLC201⟫
  security:
    oauth2:
      client:
        registration:
          corp:
            client-id: ledger⟪-⟫
            client-secret: {rnd(40, AN)}⟪+FLC202⟫
            client-authentication-method: client_secret_basic⟪-⟫
            authorization-grant-type: client_credentials⟪-⟫
server:
  ssl:
    key-store: classpath:keystore.p12⟪-⟫
    key-store-password: {pw()}⟪+FLC201⟫
    key-store-type: PKCS12⟪-⟫
    key-alias: ledger⟪-⟫
    key-password: {pw()}⟪+FLC201⟫
    trust-store-password: ${{TRUSTSTORE_PASSWORD}}⟪-⟫
jasypt:
  encryptor:
    password: ENC({rnd(32, AN + '+/')})⟪-⟫
    algorithm: PBEWITHHMACSHA512ANDAES_256⟪-⟫
management:
  endpoint:
    health:
      show-details: always
app:
  jwt:
    signing-key: {rnd(48, AN)}⟪+FLC202⟫
    issuer: https://auth.corp.example⟪-⟫
    service-token: {jwt()}⟪+FLC211⟫
  encryption:
    master-key-id: alias/ledger-master⟪-⟫
"""

F["airflow/values-airflow.yaml"] = f"""\
executor: KubernetesExecutor
webserverSecretKey: {rnd(32, HEX)}⟪+FLC202⟫
fernetKey: {base64.urlsafe_b64encode(R.randbytes(32)).decode()}⟪+FLC202⟫
webserverSecretKeySecretName: airflow-webserver-key⟪-⟫
fernetKeySecretName: airflow-fernet⟪-⟫
data:
  metadataSecretName: airflow-metadata⟪-⟫
  metadataConnection:
    user: airflow
    pass: {pw()}⟪+FLC201⟫
    host: pg.corp.example
    db: airflow
    sslmode: require
config:
  core:
    sql_alchemy_conn_cmd: "cat /run/secrets/sql_alchemy_conn"⟪-⟫
  smtp:
    smtp_password: "{pw()}"⟪+FLC201⟫
    smtp_password_secret: airflow/smtp_password⟪-⟫
  webserver:
    secret_key_cmd: "vault kv get -field=key secret/airflow"⟪-⟫
env:
  - name: AIRFLOW_CONN_WAREHOUSE
    value: "postgresql://etl:{pw()}@warehouse.corp.example:5432/dw"⟪+FLC203⟫
  - name: AIRFLOW_CONN_S3
    value: '{{"conn_type": "aws", "login": "{aws_id()}", "password": "{aws_secret()}"}}'⟪+FLC204⟫
  - name: AIRFLOW_VAR_SLACK_WEBHOOK
    value: https://hooks.slack.com/services/T{rnd(8, UP + DG)}/B{rnd(8, UP + DG)}/{rnd(24, AN)}⟪+FLC209⟫
"""

F["terraform/tfvars.yaml"] = f"""\
# rendered tfvars for the staging workspace
gcp:
  project: acme-staging
  credentials_json: '{{"type": "service_account", "project_id": "acme-staging", "private_key_id": "{rnd(40, HEX)}", "private_key": "-----BEGIN PRIVATE KEY-----\\n{rnd(64, AN + "/+")}\\n-----END PRIVATE KEY-----\\n", "client_email": "tf@acme-staging.iam.gserviceaccount.com"}}'⟪+FLC213⟫
azure:
  storage_connection: "DefaultEndpointsProtocol=https;AccountName=acmestaging;AccountKey={base64.b64encode(R.randbytes(64)).decode()};EndpointSuffix=core.windows.net"⟪+FLC214⟫
  container_sas: "https://acmestaging.blob.core.windows.net/raw?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2026-12-31T00:00:00Z&sig={rnd(43, AN + '%')}%3D"⟪+FLC215⟫
  tenant_id: {uuid.UUID(int=R.getrandbits(128))}⟪-⟫
  subscription_id: {uuid.UUID(int=R.getrandbits(128))}⟪-⟫
tls:
  key: |⟪+FLC212:7⟫
{chr(10).join("    " + l for l in pem().splitlines())}
  cert_sha256: {hashlib.sha256(b"cert").hexdigest()}⟪-⟫
github:
  app_id: "{rnd(6, DG)}"⟪-⟫
  installation_token: ghs_{rnd(36, AN)}⟪+FLC206⟫
gitlab:
  runner_registration: glrt-{rnd(20, AN + '_-')}⟪+FLC207⟫
"""

F["misc/observability-agents.yaml"] = f"""\
receivers:
  prometheus:
    config:
      scrape_configs:
        - job_name: pg⟪-⟫
          basic_auth:
            username: scraper
            password: {pw()}⟪+FLC201⟫
        - job_name: api
          authorization:
            type: Bearer⟪-⟫
            credentials: {rnd(40, AN)}⟪+FLC202⟫
        - job_name: federate
          authorization:
            credentials_file: /etc/prometheus/token⟪-⟫
exporters:
  otlphttp:
    endpoint: https://otlp.corp.example
    headers:
      x-honeycomb-team: {rnd(22, AN)}⟪+FLC202|FLC218⟫
      Authorization: "Basic {b64('otel:' + pw())}"⟪+FLC217⟫
      x-scope-orgid: tenant-a⟪-⟫
  loki:
    endpoint: https://logs.corp.example/loki/api/v1/push
    headers:
      X-Api-Key: "{{env:LOKI_API_KEY}}"⟪-⟫
extensions:
  bearertokenauth:
    token: "${{env:OTLP_TOKEN}}"⟪-⟫
  oauth2client:
    client_id: agent⟪-⟫
    client_secret: {rnd(32, AN)}⟪+FLC202⟫
    token_url: https://auth.corp.example/oauth2/token⟪-⟫
"""

F["misc/lookalikes.yaml"] = f"""\
# Things that look like credentials and are not.
auth:
  mode: oauth2⟪-⟫
  password_min_length: 12⟪-⟫
  password_reset_url: https://id.corp.example/reset⟪-⟫
  passwordless: true⟪-⟫
  password-expiry-days: 90⟪-⟫
  token_ttl: 3600⟪-⟫
  secret_name: warehouse-admin⟪-⟫
  api_key_header: X-Api-Key⟪-⟫
  key: orders⟪-⟫
  signing: RS256⟪-⟫
  signing_algorithm: ES256⟪-⟫
  password: "********"⟪-⟫
  db_password: "${{DB_PASSWORD}}"⟪-⟫
  admin_password: "{{{{ .Values.adminPassword }}}}"⟪-⟫
  api_token: "<paste-token-here>"⟪-⟫
  client_secret: "{{{{ env_var('CLIENT_SECRET') }}}}"⟪-⟫
  smtp_password: changeit⟪-⟫
  ldap_password: "TODO"⟪-⟫
  vault_password: "vault:secret/data/ldap#password"⟪-⟫
  kms_key: arn:aws:kms:eu-west-1:123456789012:key/{uuid.UUID(int=R.getrandbits(128))}⟪-⟫
  secret: "none"⟪-⟫
  token: "${{{{ secrets.DEPLOY_TOKEN }}}}"⟪-⟫
ids:
  correlation: {uuid.UUID(int=R.getrandbits(128))}⟪-⟫
  object_id: {rnd(24, HEX)}⟪-⟫
  build_id: {rnd(40, HEX)}⟪-⟫
  checksum: {hashlib.sha256(b"file").hexdigest()}⟪-⟫
text:
  help: "Set the password with --password or PGPASSWORD; the token is read from ~/.acme/token"⟪-⟫
  hint: "The api key looks like sk_live_... and belongs in the vault"⟪-⟫
"""

F["k8s/external-secrets.yaml"] = f"""\
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata:
  name: ledger-db
spec:
  refreshInterval: 1h
  secretStoreRef:
    name: vault-backend⟪-⟫
    kind: ClusterSecretStore
  target:
    name: ledger-db
    template:
      type: kubernetes.io/dockerconfigjson
      data:
        .dockerconfigjson: "{{{{ .dockerconfig | toString }}}}"⟪-⟫
        password: "{{{{ .password }}}}"⟪-⟫
  data:
    - secretKey: password⟪-⟫
      remoteRef:
        key: secret/ledger/db
        property: password⟪-⟫
---
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: ledger-api
spec:
  encryptedData:
    api-key: AgB{rnd(300, AN + '+/')}==⟪-⟫
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ledger
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/ledger⟪-⟫
    iam.gke.io/gcp-service-account: ledger@acme-prod.iam.gserviceaccount.com⟪-⟫
"""

F["k8s/ingress-auth.yaml"] = f"""\
apiVersion: v1
kind: Secret
metadata:
  name: basic-auth
type: Opaque
stringData:
  auth: "admin:$apr1${rnd(8, AN)}${rnd(22, AN + './')}"⟪-⟫
---
apiVersion: v1
kind: Secret
metadata:
  name: webhook-hmac
type: Opaque
data:
  key: {base64.b64encode(rnd(48, AN).encode()).decode()}⟪+FLC218|FLC202⟫
  algorithm: {b64("sha256")}⟪-⟫
---
apiVersion: v1
kind: Secret
metadata:
  name: tls-ledger
type: kubernetes.io/tls
data:
  tls.crt: {b64n("-----BEGIN CERTIFICATE-----~MIIB" + rnd(200, AN) + "~-----END CERTIFICATE-----~")}⟪-⟫
  tls.key: {b64(pem())}⟪+FLC212⟫
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ledger
  annotations:
    nginx.ingress.kubernetes.io/auth-type: basic⟪-⟫
    nginx.ingress.kubernetes.io/auth-secret: basic-auth⟪-⟫
    nginx.ingress.kubernetes.io/configuration-snippet: |⟪+FLC217:1⟫
      proxy_set_header Authorization "Bearer {rnd(24, AN)}{rnd(4, DG)}";
"""

F["dbt/profiles-team.yml"] = f"""\
analytics:
  target: prod
  outputs:
    prod:
      type: snowflake
      account: acme-eu1
      user: DBT_PROD
      password: "{{{{ env_var('DBT_PASSWORD') }}}}"⟪-⟫
      role: TRANSFORMER
    ci:
      type: postgres
      host: ci-db.corp.example
      user: dbt_ci
      pass: "{pw()}"⟪+FLC201⟫
      dbname: ci
      schema: dbt_ci
    bq:
      type: bigquery
      method: service-account-json⟪-⟫
      keyfile_json:
        type: service_account
        project_id: acme-prod
        private_key_id: "{rnd(40, HEX)}"⟪-⟫
        private_key: "-----BEGIN PRIVATE KEY-----\\n{rnd(64, AN + '/+')}\\n-----END PRIVATE KEY-----\\n"⟪+FLC213⟫
        client_email: dbt@acme-prod.iam.gserviceaccount.com⟪-⟫
    databricks:
      type: databricks
      host: adb-{rnd(16, DG)}.7.azuredatabricks.net
      http_path: /sql/1.0/warehouses/{rnd(16, HEX)}⟪-⟫
      token: "{{{{ env_var('DATABRICKS_TOKEN') }}}}"⟪-⟫
"""

MARK = re.compile(r"\s*⟪([^⟫]*)⟫$")
root = Path(sys.argv[1])
labels = {}
for name, text in sorted(F.items()):
    out_lines, pos, neg = [], [], []
    for i, line in enumerate(text.split("\n"), start=1):
        m = MARK.search(line)
        if m:
            line = line[: m.start()]
            tag = m.group(1)
            if tag == "-":
                neg.append(i)
            else:
                assert tag.startswith("+"), tag
                code, _, extra = tag[1:].partition(":")
                pos.append({"code": code, "line": i, "end_line": i + int(extra or 0)})
        assert "⟪" not in line and "⟫" not in line, (name, i, line)
        out_lines.append(line)
    path = root / "files" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out_lines), encoding="utf-8")
    labels[name] = {"positives": pos, "negatives": neg}
(root / "labels.json").write_text(json.dumps({
    "about": "Second corpus, written in a different style from lint_corpus (Kubernetes, JVM options, compose command strings, Helm, CI, vendor keys under innocuous names, prose, placeholders and look-alikes). Labels were written with the files, before the lint was run on them. A code 'A|B' accepts either rule. All secrets are random and fake.",
    "files": labels}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
print(sum(len(v["positives"]) for v in labels.values()), "positives", sum(len(v["negatives"]) for v in labels.values()), "negatives", len(labels), "files")
