from commlog.commands import main

main()
