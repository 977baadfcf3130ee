#!/usr/bin/env bash
# Make sure RabbitMQ answers on the configured AMQP port; start it where it is installed,
# otherwise say exactly what to install.  With --management, also make sure the
# management API (needed by nameko's test fixtures) answers.
set -euo pipefail
HOST=${RABBIT_HOST:-127.0.0.1}
PORT=${RABBIT_PORT:-5672}
MGMT_PORT=${RABBIT_MGMT_PORT:-15672}

listening() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() {
  for _ in $(seq 1 60); do listening "$HOST" "$1" && return 0; sleep 1; done
  return 1
}

if ! listening "$HOST" "$PORT"; then
  if command -v rabbitmq-server >/dev/null 2>&1; then
    echo "RabbitMQ is not running on $HOST:$PORT; starting it (rabbitmq-server -detached)"
    rabbitmq-server -detached
    wait_for "$PORT" || { echo "RabbitMQ did not come up on $HOST:$PORT within 60 s" >&2; exit 1; }
  else
    cat >&2 <<MSG
RabbitMQ is not running on $HOST:$PORT and is not installed. Install it, then run this again:
  Debian/Ubuntu:  sudo apt-get install -y rabbitmq-server
  Fedora/RHEL:    sudo dnf install -y rabbitmq-server
  macOS:          brew install rabbitmq && brew services start rabbitmq
  Docker:         docker run -d --name rabbitmq -p 5672:5672 -p 15672:15672 rabbitmq:3-management
MSG
    exit 1
  fi
fi

if [ "${1:-}" = "--management" ] && ! listening "$HOST" "$MGMT_PORT"; then
  echo "enabling the RabbitMQ management plugin (nameko's test fixtures use its API)"
  rabbitmq-plugins enable rabbitmq_management >/dev/null
  wait_for "$MGMT_PORT" || { echo "management API did not answer on $MGMT_PORT" >&2; exit 1; }
fi
echo "RabbitMQ is up on $HOST:$PORT"
