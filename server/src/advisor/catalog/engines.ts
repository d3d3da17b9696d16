// Data engines the advisor knows, by image. This is HA knowledge kept as data: how each engine
// replicates, whether it needs a quorum, where it keeps its data, and how optional replication is
// switched on. Users extend it in `.stateful-ha.yaml` (`engines:`).
import type { ReplicationModel } from '../model/model.js';

export interface ReplicationSwitch {
  /** Environment variable that turns replication on when set (to a value matching `values`, if given). */
  env?: string;
  values?: string[];
  /** A command-line word (or `word=`/`word value` prefix) that turns replication on. */
  arg?: string;
}

export interface EngineDefinition {
  id: string;
  name: string;
  /**
   * Repository names (last path segment of the image, without tag/digest). Registry and namespace are
   * ignored, so `cassandra` matches `cassandra`, `bitnami/cassandra` and `docker.io/library/cassandra:4`.
   */
  images: string[];
  replication: ReplicationModel;
  quorum: boolean;
  /** Data paths of the official image. */
  dataPaths: string[];
  /** Data paths of the Bitnami image (`bitnami/<name>`), when they differ. */
  bitnamiDataPaths?: string[];
  /** Namespaces whose images keep the catalog's data paths (besides `library` and `bitnami`). */
  trustedNamespaces?: string[];
  /** For `optional` replication: what turns it on. */
  replicationSwitches?: ReplicationSwitch[];
  /** Env vars / args that move the data directory. */
  dataDirSettings?: { env?: string[]; args?: string[] };
  /** Env var / arg marking a member that holds no data (MongoDB arbiter). */
  arbiter?: ReplicationSwitch[];
}

export const ENGINES: EngineDefinition[] = [
  {
    id: 'cassandra',
    name: 'Cassandra',
    images: ['cassandra'],
    replication: 'app',
    quorum: false,
    dataPaths: ['/var/lib/cassandra'],
    bitnamiDataPaths: ['/bitnami/cassandra', '/bitnami'],
    dataDirSettings: { env: ['CASSANDRA_DATA_DIR'] },
  },
  {
    id: 'scylladb',
    name: 'ScyllaDB',
    images: ['scylla'],
    trustedNamespaces: ['scylladb'],
    replication: 'app',
    quorum: false,
    dataPaths: ['/var/lib/scylla'],
  },
  {
    id: 'mongodb',
    name: 'MongoDB',
    images: ['mongo', 'mongodb', 'mongodb-community-server', 'mongodb-enterprise-server'],
    trustedNamespaces: ['mongodb'],
    replication: 'optional',
    quorum: true,
    dataPaths: ['/data/db'],
    bitnamiDataPaths: ['/bitnami/mongodb', '/bitnami'],
    replicationSwitches: [
      { arg: '--replSet' },
      { env: 'MONGODB_REPLICA_SET_MODE' },
      { env: 'MONGO_REPLICA_SET_NAME' },
    ],
    arbiter: [{ env: 'MONGODB_REPLICA_SET_MODE', values: ['arbiter'] }, { arg: '--arbiter' }],
    dataDirSettings: { args: ['--dbpath'] },
  },
  {
    id: 'kafka',
    name: 'Kafka',
    images: ['kafka', 'cp-kafka', 'cp-server', 'kafka-native'],
    trustedNamespaces: ['confluentinc', 'apache'],
    replication: 'app',
    quorum: false,
    dataPaths: ['/var/lib/kafka/data', '/var/lib/kafka', '/tmp/kafka-logs', '/var/lib/kafka-logs'],
    bitnamiDataPaths: ['/bitnami/kafka', '/bitnami'],
    dataDirSettings: { env: ['KAFKA_LOG_DIRS', 'KAFKA_CFG_LOG_DIRS'] },
  },
  {
    id: 'zookeeper',
    name: 'ZooKeeper',
    images: ['zookeeper', 'cp-zookeeper', 'kubernetes-zookeeper'],
    trustedNamespaces: ['confluentinc'],
    replication: 'app',
    quorum: true,
    dataPaths: ['/data', '/datalog', '/var/lib/zookeeper'],
    bitnamiDataPaths: ['/bitnami/zookeeper', '/bitnami'],
    dataDirSettings: { env: ['ZOO_DATA_DIR', 'ZOOKEEPER_DATA_DIR'] },
  },
  {
    id: 'etcd',
    name: 'etcd',
    images: ['etcd'],
    trustedNamespaces: ['coreos', 'etcd-io', 'quay.io'],
    replication: 'app',
    quorum: true,
    dataPaths: ['/var/lib/etcd', '/etcd-data', '/default.etcd'],
    bitnamiDataPaths: ['/bitnami/etcd', '/bitnami'],
    dataDirSettings: { env: ['ETCD_DATA_DIR'], args: ['--data-dir'] },
  },
  {
    id: 'consul',
    name: 'Consul',
    images: ['consul'],
    trustedNamespaces: ['hashicorp'],
    replication: 'app',
    quorum: true,
    dataPaths: ['/consul/data'],
    bitnamiDataPaths: ['/bitnami/consul', '/bitnami'],
    dataDirSettings: { args: ['-data-dir'] },
  },
  {
    id: 'cockroachdb',
    name: 'CockroachDB',
    images: ['cockroach', 'cockroachdb'],
    trustedNamespaces: ['cockroachdb'],
    replication: 'app',
    quorum: true,
    dataPaths: ['/cockroach/cockroach-data'],
    dataDirSettings: { args: ['--store'] },
  },
  {
    id: 'elasticsearch',
    name: 'Elasticsearch',
    images: ['elasticsearch'],
    trustedNamespaces: ['elastic', 'docker.elastic.co'],
    replication: 'app',
    quorum: false,
    dataPaths: ['/usr/share/elasticsearch/data'],
    bitnamiDataPaths: ['/bitnami/elasticsearch/data', '/bitnami/elasticsearch', '/bitnami'],
    dataDirSettings: { env: ['path.data'] },
  },
  {
    id: 'opensearch',
    name: 'OpenSearch',
    images: ['opensearch'],
    trustedNamespaces: ['opensearchproject'],
    replication: 'app',
    quorum: false,
    dataPaths: ['/usr/share/opensearch/data'],
    bitnamiDataPaths: ['/bitnami/opensearch/data', '/bitnami/opensearch', '/bitnami'],
  },
  {
    id: 'postgresql',
    name: 'PostgreSQL',
    images: ['postgres', 'postgresql', 'postgresql-repmgr', 'postgis'],
    trustedNamespaces: ['postgis'],
    replication: 'optional',
    quorum: false,
    dataPaths: ['/var/lib/postgresql/data', '/var/lib/postgresql'],
    bitnamiDataPaths: ['/bitnami/postgresql', '/bitnami'],
    replicationSwitches: [{ env: 'POSTGRESQL_REPLICATION_MODE' }, { env: 'REPMGR_PARTNER_NODES' }],
    dataDirSettings: { env: ['PGDATA', 'POSTGRESQL_DATA_DIR'] },
  },
  {
    id: 'mysql',
    name: 'MySQL',
    images: ['mysql', 'mysql-server', 'percona-server'],
    trustedNamespaces: ['percona'],
    replication: 'optional',
    quorum: false,
    dataPaths: ['/var/lib/mysql'],
    bitnamiDataPaths: ['/bitnami/mysql/data', '/bitnami/mysql', '/bitnami'],
    replicationSwitches: [{ env: 'MYSQL_REPLICATION_MODE' }],
    dataDirSettings: { env: ['MYSQL_DATA_DIR'], args: ['--datadir'] },
  },
  {
    id: 'mariadb',
    name: 'MariaDB',
    images: ['mariadb'],
    replication: 'optional',
    quorum: false,
    dataPaths: ['/var/lib/mysql'],
    bitnamiDataPaths: ['/bitnami/mariadb', '/bitnami'],
    replicationSwitches: [{ env: 'MARIADB_REPLICATION_MODE' }, { arg: '--wsrep-on' }],
    dataDirSettings: { env: ['MARIADB_DATA_DIR'], args: ['--datadir'] },
  },
  {
    id: 'galera',
    name: 'MariaDB Galera',
    images: ['mariadb-galera', 'percona-xtradb-cluster'],
    trustedNamespaces: ['percona'],
    replication: 'app',
    quorum: true,
    dataPaths: ['/var/lib/mysql'],
    bitnamiDataPaths: ['/bitnami/mariadb', '/bitnami'],
    dataDirSettings: { args: ['--datadir'] },
  },
  {
    id: 'redis',
    name: 'Redis',
    images: ['redis', 'redis-stack-server', 'valkey', 'redis-cluster', 'keydb'],
    trustedNamespaces: ['redis', 'valkey', 'eqalpha'],
    replication: 'optional',
    quorum: false,
    dataPaths: ['/data'],
    bitnamiDataPaths: ['/bitnami/redis/data', '/bitnami/redis', '/bitnami'],
    replicationSwitches: [
      { env: 'REDIS_REPLICATION_MODE' },
      { arg: '--replicaof' },
      { arg: '--slaveof' },
      { arg: '--cluster-enabled' },
      { env: 'REDIS_CLUSTER_CREATOR' },
      { env: 'REDIS_NODES' },
    ],
    dataDirSettings: { args: ['--dir'] },
  },
  {
    id: 'rabbitmq',
    name: 'RabbitMQ',
    images: ['rabbitmq'],
    replication: 'optional',
    quorum: false,
    dataPaths: ['/var/lib/rabbitmq'],
    bitnamiDataPaths: ['/bitnami/rabbitmq/mnesia', '/bitnami/rabbitmq', '/bitnami'],
    replicationSwitches: [{ env: 'RABBITMQ_CLUSTER_NODE_NAME' }, { env: 'RABBITMQ_NODE_TYPE' }],
    dataDirSettings: { env: ['RABBITMQ_MNESIA_BASE', 'RABBITMQ_MNESIA_DIR'] },
  },
  {
    id: 'minio',
    name: 'MinIO',
    images: ['minio'],
    trustedNamespaces: ['minio', 'quay.io'],
    replication: 'optional',
    quorum: false,
    dataPaths: ['/data', '/export'],
    bitnamiDataPaths: ['/bitnami/minio/data', '/bitnami/minio', '/bitnami'],
    // Distributed mode lists several endpoints (`server http://minio-{0...3}/data`).
    replicationSwitches: [{ arg: 'http://' }, { arg: 'https://' }, { env: 'MINIO_DISTRIBUTED_MODE_ENABLED' }],
  },
  {
    id: 'clickhouse',
    name: 'ClickHouse',
    images: ['clickhouse-server', 'clickhouse'],
    trustedNamespaces: ['clickhouse', 'yandex'],
    replication: 'optional',
    quorum: false,
    dataPaths: ['/var/lib/clickhouse'],
    bitnamiDataPaths: ['/bitnami/clickhouse', '/bitnami'],
  },
  {
    id: 'influxdb',
    name: 'InfluxDB',
    images: ['influxdb'],
    replication: 'none',
    quorum: false,
    dataPaths: ['/var/lib/influxdb', '/var/lib/influxdb2'],
    bitnamiDataPaths: ['/bitnami/influxdb', '/bitnami'],
  },
  {
    id: 'neo4j',
    name: 'Neo4j',
    images: ['neo4j'],
    replication: 'optional',
    quorum: false,
    dataPaths: ['/data'],
  },
  {
    id: 'couchdb',
    name: 'CouchDB',
    images: ['couchdb'],
    replication: 'app',
    quorum: false,
    dataPaths: ['/opt/couchdb/data'],
    bitnamiDataPaths: ['/bitnami/couchdb', '/bitnami'],
  },
  {
    id: 'nats',
    name: 'NATS JetStream',
    images: ['nats'],
    replication: 'optional',
    quorum: false,
    dataPaths: ['/data', '/tmp/nats'],
    replicationSwitches: [{ arg: '--cluster' }, { arg: '--routes' }],
  },
  {
    id: 'solr',
    name: 'Solr',
    images: ['solr'],
    replication: 'optional',
    quorum: false,
    dataPaths: ['/var/solr'],
    bitnamiDataPaths: ['/bitnami/solr', '/bitnami'],
    replicationSwitches: [{ env: 'ZK_HOST' }, { arg: '-z' }, { arg: '-c' }],
  },
];
