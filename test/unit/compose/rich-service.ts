/**
 * A service using most of what the compose reader covers, and an override file merged over it, shared
 * by the unit test of the config hash (service-model.test.ts, which holds the hashes docker compose
 * 2.26.1 wrote for them in DIR) and its integration test against the compose on the machine.
 */
export const DIR = '/tmp/hx2';

export const RICH = `x-common: &common
  restart: on-failure:3
services:
  app:
    <<: *common
    image: 127.0.0.1:5000/library/postgres:15
    command: sleep "infinity  x" 'a b' c\\ d
    entrypoint: ["/bin/sh", "-c", "exec \\"$$@\\"", "--"]
    working_dir: /tmp/
    user: "999"
    hostname: labhost
    domainname: example.test
    stop_grace_period: 90s
    stop_signal: SIGINT
    env_file:
      - conf/a.env
      - path: conf/missing.env
        required: false
      - conf/b.env
    environment:
      - FROM_DOTENV
      - NOT_ANYWHERE
      - PLAIN=1
      - ESC=<a&b>
    labels:
      - lab=1
      - other.label=\${LABEL_VALUE:-dflt}
    ports:
      - "127.0.0.1:18101-18102:9001-9002/udp"
      - 18103:9003
      - target: 9004
        published: 18104
        host_ip: 127.0.0.1
      - "9005"
    expose: ["7000", "7001-7002/udp"]
    logging:
      driver: json-file
      options:
        max-size: 10m
        max-file: 3
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 512M}
        reservations: {memory: 64m}
    cpu_shares: 512
    shm_size: 64m
    sysctls: ["net.core.somaxconn=1024"]
    tmpfs: /run/lab
    extra_hosts:
      db.internal: 10.0.0.5
      "v6.internal": "::1"
    dns: 1.1.1.1
    security_opt: ["no-new-privileges:true"]
    read_only: true
    init: true
    tty: true
    stdin_open: true
    cap_add: [SYS_PTRACE]
    cap_drop: [NET_RAW, MKNOD]
    group_add: [users]
    ulimits:
      nproc: 512
      nofile: {soft: 1024, hard: 2048}
    volumes:
      - ./data:/data:ro,z
      - type: bind
        source: ./conf
        target: /conf
        read_only: true
      - type: tmpfs
        target: /scratch
        tmpfs: {size: 10m}
      - named:/named:nocopy
      - /anon/
    networks:
      front:
        priority: 10
        aliases: [app-front]
      back:
    depends_on: [other]
    healthcheck:
      test: pg_isready -h localhost || exit 1
      interval: 1m
      timeout: 1500ms
      start_period: 0s
      start_interval: 2s
      retries: 0
    x-note: ignored
  other:
    image: 127.0.0.1:5000/library/postgres:15
    network_mode: none
volumes: {named: {}}
networks: {front: {}, back: {}}
`;
export const OVERRIDE = `services:
  app:
    command: ["sleep", "1000"]
    environment:
      PLAIN: "2"
      EXTRA: yes
    labels:
      lab: "1"
      added: "x"
    ports:
      - 18103:9003
      - 18105:9005
    volumes:
      - /tmp:/data
    cap_drop: [NET_RAW, SETUID]
    networks:
      front:
        aliases: [second-alias]
    healthcheck:
      retries: 4
    logging:
      options:
        max-file: 5
    pids_limit: 0
    mem_swappiness: 0
    x-more: 1
`;
export const RICH_ENV = {
  env: { FROM_DOTENV: 'dotenv-value', LABEL_VALUE: 'lv' },
  envFiles: {
    [`${DIR}/conf/a.env`]: 'A_ONE=1\nSHARED=from-a\nREF=${FROM_DOTENV}-x\n',
    [`${DIR}/conf/b.env`]: 'SHARED=from-b\nB_ONLY="two words"\n',
  },
};
