// Workspace files shared by the protocol tests. Line numbers in the tests refer to these texts.
export const CASSANDRA = `# Cassandra ring
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: cassandra
  namespace: db
spec:
  serviceName: cassandra
  replicas: 3
  selector:
    matchLabels:
      app: cassandra
  template:
    metadata:
      labels:
        app: cassandra
    spec:
      containers:
        - name: cassandra
          image: cassandra:4.1
          volumeMounts:
            - name: data
              mountPath: /var/lib/cassandra
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        storageClassName: px-repl3
        resources:
          requests:
            storage: 10Gi
`;

export const STORAGE_CLASS = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: px-repl3
provisioner: pxd.portworx.com
parameters:
  repl: "3" # three copies
reclaimPolicy: Retain
volumeBindingMode: WaitForFirstConsumer
`;

export const COMPOSE = `# app stack
services:
  db:
    image: postgres:16 # main database
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata: {}
`;
